#ifndef AD_CTL_RESULT_MERGE_H
#define AD_CTL_RESULT_MERGE_H
/*
 * `asyncdemoctl report`'s merge of --json documents: runs of the same name are added up exactly
 * (ad_run_result_merge); what cannot be one test is refused, never silently mixed. Pure.
 */
#include <stddef.h>
#include "json_report.h"

/*
 * Merges the runs of docs[0..n) (named names[i] in messages) into *out: one run per distinct name, in
 * first-seen order, malloc'd (free each and the array). Returns 0, or -1 with the reason in err (a compare
 * document among bench ones, a document started at the same nanosecond as an earlier one, i.e. the same
 * file given twice, or a run whose URL differs from the same-named run of an earlier file);
 * nothing is allocated then.
 */
int ad_result_merge_docs(const ad_json_report_t *docs, const char *const *names, size_t n, ad_run_result_t ***out,
                         size_t *nout, char *err, size_t errlen);

/*
 * The runs kept apart: one line per merged run that not every document has, "/delay/1: only in b.json (1 of
 * 3 documents)", into buf ("" when every run is in every document). Returns how many.
 */
size_t ad_result_merge_partial(const ad_json_report_t *docs, const char *const *names, size_t n,
                               ad_run_result_t *const *runs, size_t nruns, char *buf, size_t size);

/*
 * Where docs came from, from their options' "shard" and "host" (bench --shard, and the host bench ran on):
 * into summary "3 hosts, shards 1-3 of 3" or "1 host, shards 1, 3 of 3 (2 missing)" ("" when neither is
 * known). Returns 0, or -1 with the reason in err: a shard given twice, or shards of different counts.
 */
int ad_result_merge_origin(const ad_json_report_t *docs, const char *const *names, size_t n, char *summary, size_t size,
                           char *err, size_t errlen);

#endif
