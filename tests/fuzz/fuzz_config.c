/*
 * libFuzzer target: daemon/config.c. The first byte picks the entry point, the rest is its input:
 *   0: a config file's text (ad_config_parse_text, then ad_config_validate)
 *   1: a listen address (ad_listen_addr_parse)
 *   2: a command line, arguments separated by NULs (ad_cli_parse)
 * The command line is parsed in an empty private directory with every '/' turned into '_', so --config can
 * only name files that do not exist there (or "." and ".."): the fuzzer never reads the machine's files.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

static int empty_dir = -1, start_dir = -1;

/* An empty directory of our own, already removed, where ad_cli_parse runs (the corpus paths libFuzzer was
 * given stay relative to the starting one). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char dir[] = "/tmp/asyncdemo-fuzz-config-XXXXXX";
    if (mkdtemp(dir) == NULL || (empty_dir = open(dir, O_RDONLY | O_DIRECTORY)) < 0 ||
        (start_dir = open(".", O_RDONLY | O_DIRECTORY)) < 0) {
        perror("fuzz_config: private directory");
        abort();
    }
    rmdir(dir);
    return 0;
}

static void check_err(const char *err, size_t errlen)
{
    AD_FUZZ_CHECK(memchr(err, '\0', errlen) != NULL);
    AD_FUZZ_CHECK(err[0] != '\0');
}

static void check_config(const ad_config_t *cfg)
{
    char err[256];
    AD_FUZZ_CHECK(cfg->nlisten <= AD_MAX_LISTEN);
    for (size_t i = 0; i < cfg->nlisten; i++)
        AD_FUZZ_CHECK(memchr(cfg->listen[i].text, '\0', sizeof(cfg->listen[i].text)) != NULL);
    if (ad_config_validate(cfg, err, sizeof(err)) != 0)
        check_err(err, sizeof(err));
}

static void fuzz_text(const uint8_t *data, size_t size)
{
    ad_config_t cfg;
    char err[512];
    ad_config_defaults(&cfg);
    if (ad_config_parse_text(&cfg, (const char *)data, size, "fuzz.conf", err, sizeof(err)) != 0) {
        check_err(err, sizeof(err));
        AD_FUZZ_CHECK(strncmp(err, "fuzz.conf", 9) == 0);
    }
    check_config(&cfg);
}

static void fuzz_listen(const uint8_t *data, size_t size)
{
    char *text = ad_fuzz_strndup(data, size);
    ad_listen_addr_t a;
    char err[256];
    if (ad_listen_addr_parse(text, &a, err, sizeof(err)) == 0) {
        AD_FUZZ_CHECK(memchr(a.text, '\0', sizeof(a.text)) != NULL);
        AD_FUZZ_CHECK(a.addr.ss_family == AF_INET || a.addr.ss_family == AF_INET6);
        AD_FUZZ_CHECK(a.addrlen ==
                      (a.addr.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)));
        /* the normalised text parses to the same address */
        ad_listen_addr_t b;
        AD_FUZZ_CHECK(ad_listen_addr_parse(a.text, &b, err, sizeof(err)) == 0);
        AD_FUZZ_CHECK(strcmp(a.text, b.text) == 0 && a.addrlen == b.addrlen);
        AD_FUZZ_CHECK(memcmp(&a.addr, &b.addr, a.addrlen) == 0);
    } else {
        check_err(err, sizeof(err));
    }
    free(text);
}

static void fuzz_cli(const uint8_t *data, size_t size)
{
    ad_fuzz_argv_t a;
    ad_fuzz_argv_split(&a, "asyncdemod", data, size);
    for (size_t i = 0; i < size; i++)
        if (a.buf[i] == '/')
            a.buf[i] = '_';
    ad_config_t cfg;
    ad_cli_action_t action = AD_CLI_RUN;
    char err[512];
    ad_config_defaults(&cfg);
    AD_FUZZ_CHECK(fchdir(empty_dir) == 0);
    int rc = ad_cli_parse(a.argc, a.argv, &cfg, &action, err, sizeof(err));
    AD_FUZZ_CHECK(fchdir(start_dir) == 0);
    if (rc == 0) {
        AD_FUZZ_CHECK(action == AD_CLI_RUN || action == AD_CLI_HELP || action == AD_CLI_VERSION);
        if (action == AD_CLI_RUN)
            AD_FUZZ_CHECK(ad_config_validate(&cfg, err, sizeof(err)) == 0);
        check_config(&cfg);
    } else {
        check_err(err, sizeof(err));
    }
    ad_fuzz_argv_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] % 3) {
    case 0:
        fuzz_text(data + 1, size - 1);
        break;
    case 1:
        fuzz_listen(data + 1, size - 1);
        break;
    default:
        fuzz_cli(data + 1, size - 1);
        break;
    }
    return 0;
}
