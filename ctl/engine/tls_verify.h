#ifndef AD_CTL_TLS_VERIFY_H
#define AD_CTL_TLS_VERIFY_H
/* How every libcurl handle checks an https:// target: --cacert and -k/--insecure (cli.h's ad_tls_verify_t). */
#include <curl/curl.h>
#include "cli.h"

/* Sets CURLOPT_CAINFO and, with insecure, no peer or host check. tls NULL: the defaults. CURLE_OK or curl's error. */
CURLcode ad_tls_verify_setopt(CURL *easy, const ad_tls_verify_t *tls);

#endif
