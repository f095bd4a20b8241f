/* Unit tests of lib/log.c: level names, stderr line format (fd 2 redirected to a pipe), journal detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "messages.h"

/* fd 2 goes to a pipe for the duration of one test; the real stderr is kept to restore it. */
typedef struct {
    int saved_stderr;
    int rd;
} capture_t;

static int capture_setup(void **state)
{
    capture_t *c = malloc(sizeof(*c));
    int fds[2];
    if (c == NULL || pipe(fds) != 0)
        return -1;
    fflush(stderr);
    c->saved_stderr = dup(STDERR_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[1]);
    c->rd = fds[0];
    fcntl(c->rd, F_SETFL, O_NONBLOCK);
    unsetenv("JOURNAL_STREAM");
    ad_log_init("test", LOG_DEBUG, AD_LOG_STDERR);
    *state = c;
    return 0;
}

static int capture_teardown(void **state)
{
    capture_t *c = *state;
    dup2(c->saved_stderr, STDERR_FILENO);
    close(c->saved_stderr);
    close(c->rd);
    free(c);
    return 0;
}

/* Everything written to fd 2 so far (caller frees). */
static char *captured(void **state)
{
    capture_t *c = *state;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        ssize_t n = read(c->rd, buf + len, cap - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return buf;
}

/* The "test[pid]: " prefix every line starts with. */
static const char *prefix(void)
{
    static char p[64];
    snprintf(p, sizeof(p), "test[%d]: ", (int)getpid());
    return p;
}

static void assert_line(void **state, const char *want_after_prefix)
{
    char *got = captured(state);
    char want[4096];
    snprintf(want, sizeof(want), "%s%s\n", prefix(), want_after_prefix);
    assert_string_equal(got, want);
    free(got);
}

static void test_parse_level(void **state)
{
    (void)state;
    assert_int_equal(ad_log_parse_level("err"), LOG_ERR);
    assert_int_equal(ad_log_parse_level("error"), LOG_ERR);
    assert_int_equal(ad_log_parse_level("warning"), LOG_WARNING);
    assert_int_equal(ad_log_parse_level("warn"), LOG_WARNING);
    assert_int_equal(ad_log_parse_level("notice"), LOG_NOTICE);
    assert_int_equal(ad_log_parse_level("info"), LOG_INFO);
    assert_int_equal(ad_log_parse_level("debug"), LOG_DEBUG);
    assert_int_equal(ad_log_parse_level("DEBUG"), LOG_DEBUG);
    for (int d = 3; d <= 7; d++) {
        char s[2] = {(char)('0' + d), 0};
        assert_int_equal(ad_log_parse_level(s), d);
    }
    const char *bad[] = {"", "2", "8", "0", "37", "3 ", " info", "infos", "crit", "-1", "verbose"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ad_log_parse_level(bad[i]), -1);
    assert_int_equal(ad_log_parse_level(NULL), -1);
    assert_string_equal(ad_log_level_name(LOG_ERR), "err");
    assert_string_equal(ad_log_level_name(LOG_WARNING), "warning");
    assert_string_equal(ad_log_level_name(LOG_DEBUG), "debug");
    assert_string_equal(ad_log_level_name(42), "unknown");
    for (int p = LOG_ERR; p <= LOG_DEBUG; p++)
        assert_int_equal(ad_log_parse_level(ad_log_level_name(p)), p);
}

static void test_stderr_format(void **state)
{
    ad_log_warning("loop stalled for %d ms", 250);
    assert_line(state, "warning loop stalled for 250 ms");

    const char *fields[] = {"ENDPOINT=/blocking", "DELAY=2 s", "EMPTY=", "Q=say \"hi\"", NULL};
    ad_log_entry(LOG_NOTICE, AD_MSGID_LOOP_STALL, fields, "stall");
    assert_line(state, "notice stall ENDPOINT=/blocking DELAY=\"2 s\" EMPTY=\"\" Q=\"say \\\"hi\\\"\"");

    ad_log_error("two\nlines\tand a bell\a");
    assert_line(state, "err two\\nlines\\tand a bell\\x07");

    const char *bad_fields[] = {"lower=x", "NOEQUALS", "_TRUSTED=x", "1DIGIT=x", "=x", "OK_1=v\nw", NULL};
    ad_log_entry(LOG_INFO, NULL, bad_fields, "fields");
    assert_line(state, "info fields OK_1=\"v\\nw\"");
}

static void test_level_filter(void **state)
{
    ad_log_set_level(LOG_WARNING);
    assert_int_equal(ad_log_get_level(), LOG_WARNING);
    ad_log_info("hidden");
    ad_log_debug("hidden");
    ad_log_notice("hidden");
    ad_log_warning("shown");
    assert_line(state, "warning shown");
    ad_log_error("also");
    assert_line(state, "err also");
    ad_log_set_level(99); /* clamped */
    assert_int_equal(ad_log_get_level(), LOG_DEBUG);
    ad_log_debug("now %s", "visible");
    assert_line(state, "debug now visible");
}

static void test_long_message(void **state)
{
    size_t n = 10000;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'x', n);
    big[n] = '\0';
    const char *fields[] = {"K=v", NULL};
    ad_log_entry(LOG_INFO, NULL, fields, "%s", big);
    char *got = captured(state);
    assert_int_equal(strlen(got), strlen(prefix()) + 5 + n + 4 + 1);
    assert_memory_equal(got + strlen(prefix()) + 5 + n, " K=v\n", 5);
    free(got);
    free(big);
}

struct writer {
    int id;
};

static void *writer_main(void *p)
{
    struct writer *w = p;
    for (int i = 0; i < 100; i++)
        ad_log_info("thread %d line %d %s", w->id, i, "padding-padding-padding");
    return NULL;
}

/* Lines from concurrent threads stay whole: each one write(). */
static void test_threads_lines_whole(void **state)
{
    pthread_t t[4];
    struct writer w[4];
    for (int i = 0; i < 4; i++) {
        w[i].id = i;
        assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    char *got = captured(state);
    int seen[4] = {0};
    char *save = NULL;
    int lines = 0;
    for (char *line = strtok_r(got, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        int id, n;
        char want[128];
        assert_int_equal(strncmp(line, prefix(), strlen(prefix())), 0);
        assert_int_equal(sscanf(line + strlen(prefix()), "info thread %d line %d", &id, &n), 2);
        snprintf(want, sizeof(want), "%sinfo thread %d line %d padding-padding-padding", prefix(), id, n);
        assert_string_equal(line, want);
        assert_int_equal(n, seen[id]++); /* in order per thread */
        lines++;
    }
    assert_int_equal(lines, 400);
    free(got);
}

static void test_journal_detection(void **state)
{
    (void)state;
    struct stat st;
    assert_int_equal(fstat(STDERR_FILENO, &st), 0);
    char env[64];
    snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
    setenv("JOURNAL_STREAM", env, 1);
    ad_log_init("test", LOG_INFO, AD_LOG_AUTO);
    assert_true(ad_log_to_journal());
    ad_log_init("test", LOG_INFO, AD_LOG_STDERR); /* forced stderr wins */
    assert_false(ad_log_to_journal());

    const char *others[] = {"", "1:2", "garbage", ":", "12", "1:2:3"};
    snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino + 1);
    setenv("JOURNAL_STREAM", env, 1);
    ad_log_init("test", LOG_INFO, AD_LOG_AUTO);
    assert_false(ad_log_to_journal());
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        setenv("JOURNAL_STREAM", others[i], 1);
        ad_log_init("test", LOG_INFO, AD_LOG_AUTO);
        assert_false(ad_log_to_journal());
    }
    unsetenv("JOURNAL_STREAM");
    ad_log_init("test", LOG_INFO, AD_LOG_AUTO);
    assert_false(ad_log_to_journal());
    ad_log_init("test", LOG_INFO, AD_LOG_JOURNAL); /* only where journald listens */
    assert_int_equal(ad_log_to_journal(), access("/run/systemd/journal/socket", F_OK) == 0);
    ad_log_init("test", LOG_DEBUG, AD_LOG_STDERR);
}

static void test_ident(void **state)
{
    ad_log_init("asyncdemod", LOG_INFO, AD_LOG_STDERR);
    ad_log_info("hello");
    char *got = captured(state);
    char want[64];
    snprintf(want, sizeof(want), "asyncdemod[%d]: info hello\n", (int)getpid());
    assert_string_equal(got, want);
    free(got);
    ad_log_init(NULL, LOG_INFO, AD_LOG_STDERR);
    ad_log_info("x");
    got = captured(state);
    assert_int_equal(strncmp(got, "asyncdemo[", 10), 0);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_level),
        cmocka_unit_test_setup_teardown(test_stderr_format, capture_setup, capture_teardown),
        cmocka_unit_test_setup_teardown(test_level_filter, capture_setup, capture_teardown),
        cmocka_unit_test_setup_teardown(test_long_message, capture_setup, capture_teardown),
        cmocka_unit_test_setup_teardown(test_threads_lines_whole, capture_setup, capture_teardown),
        cmocka_unit_test_setup_teardown(test_journal_detection, capture_setup, capture_teardown),
        cmocka_unit_test_setup_teardown(test_ident, capture_setup, capture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
