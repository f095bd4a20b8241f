#ifndef AD_TEST_CONFIG_FIXTURES_H
#define AD_TEST_CONFIG_FIXTURES_H
/* Shared by the config tests. Include after cmocka.h. */
#include "config.h"

static char err[512]; /* the last message a config call wrote */

/*
 * Validation refuses the defaults changed by the statements given (on `cfg`), with exactly message:
 * EXPECT_REFUSED("threads: 0 is out of range (1 to 64)", cfg.threads = 0).
 */
#define EXPECT_REFUSED(message, ...)                                                                                   \
    do {                                                                                                               \
        ad_config_t cfg;                                                                                               \
        ad_config_defaults(&cfg);                                                                                      \
        __VA_ARGS__;                                                                                                   \
        assert_int_equal(ad_config_validate(&cfg, err, sizeof(err)), -1);                                              \
        assert_string_equal(err, message);                                                                             \
    } while (0)

/* ad_cli_parse of "asyncdemod" + args (NULL-terminated) over the defaults; action may be NULL. */
static inline int cli(ad_config_t *cfg, ad_cli_action_t *action, const char *const *args)
{
    char *argv[64];
    int argc = 0;
    ad_cli_action_t ignored;
    argv[argc++] = (char *)"asyncdemod";
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    ad_config_defaults(cfg);
    err[0] = '\0';
    return ad_cli_parse(argc, argv, cfg, action ? action : &ignored, err, sizeof(err));
}

#endif
