/* A jansson value through the JSON writer (see json_value.h). */
#include "json_value.h"

void ad_jw_json(ad_jw_t *w, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        ad_jw_object_begin(w);
        json_object_foreach((json_t *)v, key, val)
        {
            ad_jw_key(w, key);
            ad_jw_json(w, val);
        }
        ad_jw_object_end(w);
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *val;
        ad_jw_array_begin(w);
        json_array_foreach(v, i, val) ad_jw_json(w, val);
        ad_jw_array_end(w);
        break;
    }
    case JSON_STRING:
        ad_jw_string(w, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        ad_jw_int(w, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        ad_jw_double(w, json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        ad_jw_bool(w, json_is_true(v));
        break;
    case JSON_NULL:
        ad_jw_null(w);
        break;
    }
}
