# unit tests of the daemon runtime's pure parts (ad_unit_test calls)
ad_unit_test(test_delay_json SOURCES test_delay_json.c LIBS asyncdemod_runtime PkgConfig::JANSSON)
ad_unit_test(test_delay_param SOURCES test_delay_param.c LIBS asyncdemod_runtime)
ad_unit_test(test_delay_spec SOURCES test_delay_spec.c LIBS asyncdemod_runtime)
ad_unit_test(test_fault_spec SOURCES test_fault_spec.c LIBS asyncdemod_runtime)
ad_unit_test(test_httpbin_body SOURCES test_httpbin_body.c LIBS asyncdemod_runtime)
ad_unit_test(test_route SOURCES test_route.c LIBS asyncdemod_runtime)
ad_unit_test(test_loop_policy SOURCES test_loop_policy.c LIBS asyncdemod_runtime)
# Pure memory work on h2o's own structures: built against libh2o (evloop flavour, see the shared notes).
ad_unit_test(test_input_compact SOURCES test_input_compact.c ${PROJECT_SOURCE_DIR}/daemon/http/input_compact.c
             LIBS asyncdemod_runtime PkgConfig::H2O)
target_compile_definitions(test_input_compact PRIVATE H2O_USE_LIBUV=0)
# The timer mechanism on a real evloop and timerfd (short deadlines, no timing bound beyond "not early").
ad_unit_test(test_timers SOURCES test_timers.c ${PROJECT_SOURCE_DIR}/daemon/core/timers.c LIBS asyncdemod_runtime PkgConfig::H2O)
target_compile_definitions(test_timers PRIVATE H2O_USE_LIBUV=0)
ad_unit_test(test_request_head SOURCES test_request_head.c LIBS asyncdemod_runtime)
ad_unit_test(test_hpack_scan SOURCES test_hpack_scan.c LIBS asyncdemod_runtime)
ad_unit_test(test_status_line SOURCES test_status_line.c LIBS asyncdemod_runtime)
# The page (issue 16): the /events message formatter, and the page's files as embedded in the binary.
ad_unit_test(test_events_format SOURCES test_events_format.c LIBS asyncdemod_ui PkgConfig::JANSSON)
ad_unit_test(test_ui_assets SOURCES test_ui_assets.c LIBS asyncdemod_ui)
target_compile_definitions(test_ui_assets PRIVATE AD_UI_SOURCE_DIR="${PROJECT_SOURCE_DIR}/daemon/ui")
