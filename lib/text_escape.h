#ifndef AD_TEXT_ESCAPE_H
#define AD_TEXT_ESCAPE_H
/*
 * Text from elsewhere (a server's strings, an answer's error) made safe for a terminal: nothing in the
 * result can move the cursor, retitle or clear the screen, ring the bell or fake a line. Pure.
 *
 * Kept as they are: printable ASCII and well-formed UTF-8 that is not a control or a direction
 * override. Escaped: `\` as `\\`; TAB, LF, CR as `\t`, `\n`, `\r`; other C0 controls, DEL and bytes
 * that are not well-formed UTF-8 as `\xHH`; C1 controls (U+0080-U+009F), line and paragraph separators
 * (U+2028, U+2029) and bidirectional overrides (U+202A-U+202E, U+2066-U+2069) as `\u{HHHH}`.
 */
#include <stdbool.h>
#include <stddef.h>

/* Longest escape of one input byte or character: "\u{HHHH}". */
#define AD_ESCAPE_UNIT_MAX 8

/*
 * Escapes s[0..len) into out (size > 0), always NUL-terminated. When it does not fit, it stops before the
 * first unit (an escape or a whole UTF-8 character) that does not, so the result is never cut inside one.
 * Returns the number of input bytes consumed (len when everything fit).
 */
size_t ad_escape_text(const char *s, size_t len, char *out, size_t size);

/* The same for a NUL-terminated string; NULL gives "". Returns true when all of s fit. */
bool ad_escape_cstr(const char *s, char *out, size_t size);

/* Drops the characters blank says are blank from both ends of s[0..*len). */
static inline void ad_trim(const char **s, size_t *len, bool (*blank)(char))
{
    while (*len > 0 && blank(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && blank((*s)[*len - 1]))
        (*len)--;
}

/* An HTTP header name written canonical: "user-agent" -> "User-Agent" into out (len bytes; out may equal in). */
void ad_title_case(const char *in, size_t len, char *out);

#endif
