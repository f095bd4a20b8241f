#include "file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fail.h"
#include "i18n.h"

static const char *file_kind(mode_t mode)
{
    return S_ISFIFO(mode)                   ? _("a FIFO")
           : S_ISDIR(mode)                  ? _("a directory")
           : S_ISCHR(mode) || S_ISBLK(mode) ? _("a device")
           : S_ISSOCK(mode)                 ? _("a socket")
                                            : _("not a file");
}

int ad_file_read(const char *path, size_t max, const char *what, char **out, size_t *len, char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return ad_fail(err, errlen, _("%s: cannot open: %s"), path, strerror(errno));
    int rc = -1;
    char *buf = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        ad_fail(err, errlen, _("%s: cannot read: %s"), path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        ad_fail(err, errlen, _("%s: not a regular file (%s)"), path, file_kind(st.st_mode));
        goto out;
    }
    if ((uint64_t)st.st_size > max) {
        ad_fail(err, errlen, _("%s: larger than %zu bytes, not a %s"), path, max, what);
        goto out;
    }
    if ((buf = malloc(max + 2)) == NULL) {
        ad_fail(err, errlen, _("%s: out of memory"), path);
        goto out;
    }
    size_t n = 0;
    while (n <= max) { /* the file may grow meanwhile: read at most one byte past the bound */
        ssize_t r = read(fd, buf + n, max + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            ad_fail(err, errlen, _("%s: cannot read: %s"), path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > max) {
        ad_fail(err, errlen, _("%s: larger than %zu bytes, not a %s"), path, max, what);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}
