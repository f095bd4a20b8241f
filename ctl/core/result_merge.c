/* report's merge of documents (result_merge.h). */
#include "result_merge.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fail.h"
#include "i18n.h"

static void free_runs(ad_run_result_t **runs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(runs[i]);
    free(runs);
}

int ad_result_merge_docs(const ad_json_report_t *docs, const char *const *names, size_t n, ad_run_result_t ***out,
                         size_t *nout, char *err, size_t errlen)
{
    size_t total = 0;
    *out = NULL;
    *nout = 0;
    for (size_t d = 0; d < n; d++) {
        if (strcmp(docs[d].command, docs[0].command) != 0)
            return ad_fail(err, errlen, _("%s: a %s document cannot be merged with %s's %s document"), names[d],
                           docs[d].command, names[0], docs[0].command);
        for (size_t e = 0; e < d; e++)
            if (docs[e].started_wall_ns == docs[d].started_wall_ns && docs[e].nruns == docs[d].nruns)
                return ad_fail(err, errlen,
                               _("%s: the same run as %s (same start, to the nanosecond): not counted twice"), names[d],
                               names[e]);
        total += docs[d].nruns;
    }
    ad_run_result_t **runs = calloc(total ? total : 1, sizeof(*runs));
    size_t nr = 0;
    if (runs == NULL)
        return ad_fail(err, errlen, "%s", _("out of memory"));
    for (size_t d = 0; d < n; d++) {
        for (size_t i = 0; i < docs[d].nruns; i++) {
            const ad_run_result_t *src = docs[d].runs[i];
            size_t k = 0;
            while (k < nr && strcmp(runs[k]->name, src->name) != 0)
                k++;
            if (k < nr && strcmp(runs[k]->url, src->url) != 0) {
                ad_fail(err, errlen, _("%s: run '%s' was against %s, not %s as in an earlier file: not merged"),
                        names[d], src->name, src->url, runs[k]->url);
                free_runs(runs, nr);
                return -1;
            }
            if (k < nr) {
                ad_run_result_merge(runs[k], src);
                continue;
            }
            if ((runs[nr] = malloc(sizeof(*runs[nr]))) == NULL) {
                free_runs(runs, nr);
                return ad_fail(err, errlen, "%s", _("out of memory"));
            }
            memcpy(runs[nr++], src, sizeof(*src));
        }
    }
    *out = runs;
    *nout = nr;
    return 0;
}

/* options.shard of a document: index and count, or 0 and 0. */
static void doc_shard(const ad_json_report_t *d, json_int_t *index, json_int_t *count)
{
    const json_t *s = d->options != NULL ? json_object_get(d->options, "shard") : NULL;
    *index = json_integer_value(json_object_get(s, "index"));
    *count = json_integer_value(json_object_get(s, "count"));
    if (*index < 1 || *count < 1 || *index > *count)
        *index = *count = 0;
}

static const char *doc_host(const ad_json_report_t *d)
{
    return d->options != NULL ? json_string_value(json_object_get(d->options, "host")) : NULL;
}

int ad_result_merge_origin(const ad_json_report_t *docs, const char *const *names, size_t n, char *summary, size_t size,
                           char *err, size_t errlen)
{
    json_int_t count = 0;
    size_t hosts = 0, sharded = 0;
    for (size_t d = 0; d < n; d++) {
        json_int_t idx, cnt;
        doc_shard(&docs[d], &idx, &cnt);
        if (cnt > 0 && count > 0 && cnt != count)
            return ad_fail(err, errlen, _("%s: shard %lld of %lld cannot be merged with shards of %lld"), names[d],
                           (long long)idx, (long long)cnt, (long long)count);
        for (size_t e = 0; cnt > 0 && e < d; e++) {
            json_int_t i2, c2;
            doc_shard(&docs[e], &i2, &c2);
            if (i2 == idx)
                return ad_fail(err, errlen, _("%s: shard %lld/%lld is already %s's"), names[d], (long long)idx,
                               (long long)cnt, names[e]);
        }
        if (cnt > 0) {
            count = cnt;
            sharded++;
        }
        const char *h = doc_host(&docs[d]);
        bool seen = h == NULL;
        for (size_t e = 0; !seen && e < d; e++)
            seen = doc_host(&docs[e]) != NULL && strcmp(doc_host(&docs[e]), h) == 0;
        hosts += !seen;
    }
    size_t len = 0;
    summary[0] = '\0';
    if (hosts > 0)
        len += (size_t)snprintf(summary, size, NG_("%zu host", "%zu hosts", hosts), hosts);
    if (count == 0 || len >= size)
        return 0;
    if (len > 0)
        len += (size_t)snprintf(summary + len, size - len, ", ");
    /* TRANSLATORS: of --shard's shards, how many documents were given: "2 of 3 shards" */
    len += (size_t)snprintf(summary + len, size - len, NG_("%zu of %lld shard", "%zu of %lld shards", count), sharded,
                            (long long)count);
    /* the missing ones, which the totals lack */
    size_t missing = 0;
    for (json_int_t i = 1; i <= count && len < size; i++) {
        bool found = false;
        for (size_t d = 0; d < n && !found; d++) {
            json_int_t idx, cnt;
            doc_shard(&docs[d], &idx, &cnt);
            found = idx == i;
        }
        if (!found && len < size)
            len += (size_t)snprintf(summary + len, size - len, "%s%lld", missing++ ? ", " : _(" (missing: "),
                                    (long long)i);
    }
    if (missing > 0 && len < size)
        snprintf(summary + len, size - len, ")");
    return 0;
}

size_t ad_result_merge_partial(const ad_json_report_t *docs, const char *const *names, size_t n,
                               ad_run_result_t *const *runs, size_t nruns, char *buf, size_t size)
{
    size_t len = 0, partial = 0;
    if (size > 0)
        buf[0] = '\0';
    for (size_t k = 0; k < nruns; k++) {
        size_t in = 0, first = 0;
        for (size_t d = 0; d < n; d++) {
            bool has = false;
            for (size_t i = 0; i < docs[d].nruns && !has; i++)
                has = strcmp(docs[d].runs[i]->name, runs[k]->name) == 0;
            if (has && in++ == 0)
                first = d;
        }
        if (in == n)
            continue;
        partial++;
        if (len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s", len ? "\n" : "");
        /* TRANSLATORS: a run only some of report's documents have: "/blocking: only in a.json (1 of 2 documents)" */
        if (len < size)
            len += (size_t)snprintf(
                buf + len, size - len,
                in > 1 ? NG_("%s: only in %s and others (%zu of %zu document)",
                             "%s: only in %s and others (%zu of %zu documents)", n)
                       : NG_("%s: only in %s (%zu of %zu document)", "%s: only in %s (%zu of %zu documents)", n),
                runs[k]->name, names[first], in, n);
    }
    return partial;
}
