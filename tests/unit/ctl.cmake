# unit tests of ctl/ (ad_unit_test calls)
# asyncdemoctl's pure core: options, results, renderers (golden files under golden/), JSON, stats view.
set(AD_CTL_GOLDEN_DIR ${CMAKE_CURRENT_SOURCE_DIR}/golden)
ad_unit_test(test_ctl_options SOURCES test_ctl_options.c LIBS asyncdemoctl_core)
ad_unit_test(test_ctl_results SOURCES test_ctl_results.c LIBS asyncdemoctl_core)
ad_unit_test(test_ctl_report SOURCES test_ctl_report.c LIBS asyncdemoctl_core)
ad_unit_test(test_ctl_timeline SOURCES test_ctl_timeline.c LIBS asyncdemoctl_core)
ad_unit_test(test_ctl_json SOURCES test_ctl_json.c LIBS asyncdemoctl_core)
ad_unit_test(test_ctl_result_merge SOURCES test_ctl_result_merge.c LIBS asyncdemoctl_core)
ad_unit_test(test_ctl_threshold SOURCES test_ctl_threshold.c LIBS asyncdemoctl_core)
ad_unit_test(test_ctl_series SOURCES test_ctl_series.c LIBS asyncdemoctl_core)
ad_unit_test(test_ctl_stages SOURCES test_ctl_stages.c LIBS asyncdemoctl_core)
ad_unit_test(test_ctl_html_report SOURCES test_ctl_html_report.c LIBS asyncdemoctl_core)
ad_unit_test(test_ctl_stats_view SOURCES test_ctl_stats_view.c LIBS asyncdemoctl_core)
ad_unit_test(test_task_limits SOURCES test_task_limits.c LIBS asyncdemoctl_core)
ad_unit_test(test_i18n SOURCES test_i18n.c LIBS asyncdemoctl_core)
# Golden files are read from the source tree; AD_UPDATE_GOLDEN=1 in the environment rewrites them.
foreach(t test_ctl_options test_ctl_results test_ctl_report test_ctl_timeline test_ctl_json test_ctl_result_merge test_ctl_threshold test_ctl_series
          test_ctl_html_report test_ctl_stats_view test_i18n)
    target_compile_definitions(${t} PRIVATE AD_GOLDEN_DIR="${AD_CTL_GOLDEN_DIR}")
endforeach()
target_compile_definitions(test_ctl_json PRIVATE AD_SCHEMA_FILE="${PROJECT_SOURCE_DIR}/docs/bench-json.schema.json")

# The I/O side's pure helpers (ctl/answer_scan, transfer's classification, target's messages, progress's line,
# the evloop engines' list of requests in flight).
set(AD_CTL_SRC ${PROJECT_SOURCE_DIR}/ctl)
ad_unit_test(test_answer_scan SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_answer_scan.c ${AD_CTL_SRC}/engine/answer_scan.c
             LIBS asyncdemoctl_core)
ad_unit_test(test_transfer
             SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_transfer.c ${AD_CTL_SRC}/engine/transfer.c
                     ${AD_CTL_SRC}/engine/answer_scan.c ${AD_CTL_SRC}/engine/engine_stop.c
                     ${AD_CTL_SRC}/engine/tls_verify.c
             LIBS asyncdemoctl_core PkgConfig::CURL)
ad_unit_test(test_target SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_target.c ${AD_CTL_SRC}/engine/target.c
             ${AD_CTL_SRC}/engine/tls_verify.c
             LIBS asyncdemoctl_core PkgConfig::CURL)
ad_unit_test(test_inflight SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_inflight.c ${AD_CTL_SRC}/engine/inflight.c
             LIBS asyncdemoctl_core)
ad_unit_test(test_progress SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_progress.c ${AD_CTL_SRC}/engine/progress.c
             LIBS asyncdemoctl_core)

ad_unit_test(test_tls_client SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_tls_client.c ${AD_CTL_SRC}/engine/tls_client.c
             LIBS asyncdemoctl_core OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
