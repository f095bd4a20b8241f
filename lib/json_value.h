#ifndef AD_JSON_VALUE_H
#define AD_JSON_VALUE_H
/* A jansson value written by the JSON writer (json_writer.h), apart so the writer itself needs no jansson. */
#include <jansson.h>
#include "json_writer.h"

/* A jansson value, its numbers written as this writer writes them (shortest round-trip doubles). Nesting
 * counts against AD_JW_MAX_DEPTH like any other. */
void ad_jw_json(ad_jw_t *w, const json_t *v);

#endif
