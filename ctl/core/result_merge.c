/* report's merge of documents (result_merge.h). */
#include "result_merge.h"

#include <stdlib.h>
#include <string.h>
#include "fail.h"

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
            return ad_fail(err, errlen, "%s: a %s document cannot be merged with %s's %s document", names[d],
                           docs[d].command, names[0], docs[0].command);
        for (size_t e = 0; e < d; e++)
            if (docs[e].started_wall_ns == docs[d].started_wall_ns && docs[e].nruns == docs[d].nruns)
                return ad_fail(err, errlen, "%s: the same run as %s (same start, to the nanosecond): not counted twice",
                               names[d], names[e]);
        total += docs[d].nruns;
    }
    ad_run_result_t **runs = calloc(total ? total : 1, sizeof(*runs));
    size_t nr = 0;
    if (runs == NULL)
        return ad_fail(err, errlen, "out of memory");
    for (size_t d = 0; d < n; d++) {
        for (size_t i = 0; i < docs[d].nruns; i++) {
            const ad_run_result_t *src = docs[d].runs[i];
            size_t k = 0;
            while (k < nr && strcmp(runs[k]->name, src->name) != 0)
                k++;
            if (k < nr && strcmp(runs[k]->url, src->url) != 0) {
                ad_fail(err, errlen, "%s: run '%s' was against %s, not %s as in an earlier file: not merged", names[d],
                        src->name, src->url, runs[k]->url);
                free_runs(runs, nr);
                return -1;
            }
            if (k < nr) {
                ad_run_result_merge(runs[k], src);
                continue;
            }
            if ((runs[nr] = malloc(sizeof(*runs[nr]))) == NULL) {
                free_runs(runs, nr);
                return ad_fail(err, errlen, "out of memory");
            }
            memcpy(runs[nr++], src, sizeof(*src));
        }
    }
    *out = runs;
    *nout = nr;
    return 0;
}
