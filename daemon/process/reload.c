/*
 * SIGHUP: re-read --config with the same command line, so flags still win over the file, and apply the
 * keys that can change while running (max-delay, default-delay, pool-queue, log-level, stall-threshold,
 * drain-timeout, send-timeout). Loops read them through atomics. A bad file is logged and changes nothing.
 * TLS listeners load their certificate and key files again (with or without --config): a listener whose
 * files fail keeps the ones it has, and says why.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "messages.h"
#include "notify.h"
#include "server.h"

static void warn_fixed(const ad_config_t *old, const ad_config_t *next)
{
    bool listen_changed = old->nlisten != next->nlisten;
    for (size_t i = 0; !listen_changed && i < old->nlisten; i++)
        listen_changed = strcmp(old->listen[i].text, next->listen[i].text) != 0;
    if (listen_changed || old->threads != next->threads || old->pool_size != next->pool_size ||
        old->tick_interval_ns != next->tick_interval_ns || old->max_connections != next->max_connections ||
        old->max_waiting != next->max_waiting || old->header_timeout_ns != next->header_timeout_ns ||
        old->idle_timeout_ns != next->idle_timeout_ns || old->max_body != next->max_body)
        ad_log_warning("reload: listen, threads, pool-size, tick-interval, max-connections, max-waiting, "
                       "header-timeout, idle-timeout and max-body take effect only after a restart");
}

static void apply(ad_server_t *s, const ad_config_t *next)
{
    ad_live_settings_apply(&s->live, next);
    ad_log_set_level(next->log_level);
    s->cfg.max_delay_ns = next->max_delay_ns;
    s->cfg.default_delay_ns = next->default_delay_ns;
    s->cfg.stall_threshold_ns = next->stall_threshold_ns;
    s->cfg.pool_queue = next->pool_queue;
    s->cfg.log_level = next->log_level;
    s->cfg.drain_timeout_ns = next->drain_timeout_ns;
    s->cfg.send_timeout_ns = next->send_timeout_ns;
}

/* The listener's entry in the new config: the same place with the same address (port 0 may repeat). */
static const ad_listen_addr_t *find_listen(const ad_config_t *cfg, const ad_tls_t *t)
{
    if (t->conf_index < cfg->nlisten && strcmp(cfg->listen[t->conf_index].text, t->listen) == 0)
        return &cfg->listen[t->conf_index];
    return NULL;
}

static bool has_tls(const ad_server_t *s)
{
    for (size_t i = 0; i < AD_MAX_LISTEN; i++)
        if (s->tls[i] != NULL)
            return true;
    return false;
}

/* New connections get the new certificate; open ones keep theirs. */
static void reload_tls(ad_server_t *s, const ad_config_t *next)
{
    for (size_t i = 0; i < AD_MAX_LISTEN; i++) {
        ad_tls_t *t = s->tls[i];
        if (t == NULL)
            continue;
        const ad_listen_addr_t *a = find_listen(next, t);
        if (a == NULL || a->tls_cert[0] == '\0') {
            ad_log_warning("reload: TLS on %s: the configuration no longer names its certificate; it keeps the "
                           "current one until a restart",
                           t->name);
            continue;
        }
        SSL_CTX *ctx;
        char err[512];
        if (ad_tls_context_new(a->tls_cert, a->tls_key, &ctx, err, sizeof(err)) != 0) {
            ad_log_error("reload: TLS on %s keeps its current certificate: %s", t->name, err);
            continue;
        }
        ad_tls_replace(t, ctx);
        ad_log_notice("reload: TLS on %s: certificate loaded from %s", t->name, a->tls_cert);
    }
}

void ad_server_reload(ad_server_t *s)
{
    bool tls = has_tls(s);
    if (s->cfg.config_path[0] == '\0' && !tls) {
        ad_log_notice("SIGHUP: started without --config, nothing to reload");
        return;
    }
    ad_notify_reloading();
    ad_config_t next;
    ad_cli_action_t action;
    char err[512];
    ad_config_defaults(&next);
    if (ad_cli_parse(s->argc, s->argv, &next, &action, err, sizeof(err)) != 0 ||
        ad_config_validate(&next, err, sizeof(err)) != 0) {
        ad_log_error("reload failed, keeping the current settings: %s", err);
        ad_notify_ready(NULL);
        return;
    }
    reload_tls(s, &next);
    if (s->cfg.config_path[0] == '\0') {
        ad_notify_ready(NULL);
        return;
    }
    warn_fixed(&s->cfg, &next);
    apply(s, &next);
    char field[4096 + 32];
    snprintf(field, sizeof(field), "ASYNCDEMO_CONFIG=%s", next.config_path);
    const char *fields[] = {field, NULL};
    ad_log_entry(LOG_NOTICE, AD_MSGID_CONFIG_RELOADED, fields, "configuration reloaded from %s", next.config_path);
    ad_notify_ready(NULL);
}
