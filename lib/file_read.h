#ifndef AD_FILE_READ_H
#define AD_FILE_READ_H
/*
 * A small file read whole, safely from an event loop: only a regular file is read (the open does not
 * block, so a FIFO in its place is refused at once instead of waiting for a writer), and never more than
 * a bound. Used for the config file, TLS certificates and keys, and asyncdemoctl's --body-file.
 */
#include <stddef.h>

/*
 * Reads path into a malloc'd buffer (*out, NUL-terminated past *len; free it) of at most max bytes. 0, or
 * -1 with a message naming the file in err: "F: cannot open: ...", "F: not a regular file (a FIFO)",
 * "F: larger than N bytes, not a WHAT".
 */
int ad_file_read(const char *path, size_t max, const char *what, char **out, size_t *len, char *err, size_t errlen);

#endif
