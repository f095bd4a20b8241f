/* --cacert and -k/--insecure on a libcurl handle (see tls_verify.h). */
#include "tls_verify.h"

CURLcode ad_tls_verify_setopt(CURL *easy, const ad_tls_verify_t *tls)
{
    CURLcode rc = CURLE_OK;
    if (tls != NULL && tls->cacert != NULL)
        rc = curl_easy_setopt(easy, CURLOPT_CAINFO, tls->cacert);
    if (rc == CURLE_OK && tls != NULL && tls->insecure) {
        rc = curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    return rc;
}
