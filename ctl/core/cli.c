/* Names of subcommands, compare modes and bench engines (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    ad_ctl_command_t cmd;
} command_names[] = {{"bench", AD_CMD_BENCH}, {"compare", AD_CMD_COMPARE}, {"stats", AD_CMD_STATS},
                     {"demo", AD_CMD_DEMO},   {"report", AD_CMD_REPORT},   {"help", AD_CMD_HELP}};

ad_ctl_command_t ad_ctl_command_from_name(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(command_names) / sizeof(command_names[0]); i++)
        if (strcmp(name, command_names[i].name) == 0)
            return command_names[i].cmd;
    return AD_CMD_NONE;
}

const char *ad_ctl_command_name(ad_ctl_command_t cmd)
{
    for (size_t i = 0; i < sizeof(command_names) / sizeof(command_names[0]); i++)
        if (command_names[i].cmd == cmd && cmd != AD_CMD_HELP)
            return command_names[i].name;
    return "";
}

static const char *const mode_names[AD_MODE_COUNT] = {"sequential", "async", "threads", "processes"};

const char *ad_compare_mode_name(ad_compare_mode_t m)
{
    return (unsigned)m < AD_MODE_COUNT ? mode_names[m] : "unknown";
}

int ad_compare_mode_from_name(const char *s, size_t len)
{
    for (int i = 0; i < AD_MODE_COUNT; i++)
        if (strlen(mode_names[i]) == len && memcmp(s, mode_names[i], len) == 0)
            return i;
    return -1;
}

static const char *const engine_names[] = {"auto", "curl", "h2o", "nghttp2"};

int ad_bench_engine_from_name(const char *s, ad_bench_engine_t *e)
{
    for (size_t i = 0; s != NULL && i < sizeof(engine_names) / sizeof(engine_names[0]); i++) {
        if (strcmp(s, engine_names[i]) == 0) {
            *e = (ad_bench_engine_t)i;
            return 0;
        }
    }
    return -1;
}

const char *ad_bench_engine_name(ad_bench_engine_t e)
{
    return (unsigned)e < sizeof(engine_names) / sizeof(engine_names[0]) ? engine_names[e] : "?";
}
