# The page at / and its stream /events (issue 16; docs/http-api.md, "The page").
#   integration.daemon.ui: the served bytes, headers, /events messages, its bound, --no-ui / ui = off,
#     --threads, the stop (Python standard library).
#   integration.daemon.browser: the page in Debian's headless chromium over the DevTools protocol;
#   integration.daemon.firefox: the same tests (page_checks.py) in Debian's headless firefox-esr over
#     WebDriver BiDi, skipped (and shown so) only when firefox-esr is not installed.
#     Both also run the lesson in Ukrainian (the browser's language set per tab, no second start) and
#     switch the page back to English, and over https with h2 (a certificate the test makes, which the
#     browser accepts): 10 requests at once, none held by the browser.
#     Both drive the browser through tests/integration/browser.py, need Debian's /usr/bin/python3 with
#     python3-websocket, and leave the finished lesson's screenshot in this build directory as
#     ui-lesson-chromium.png and ui-lesson-firefox.png.
set(AD_UI_ENV "ASYNCDEMOD=$<TARGET_FILE:asyncdemod>;ASYNCDEMO_VERSION=${PROJECT_VERSION};PYTHONDONTWRITEBYTECODE=1")
add_test(NAME integration.daemon.ui COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/test_ui.py -v)
set_tests_properties(integration.daemon.ui PROPERTIES LABELS integration TIMEOUT 90 RUN_SERIAL TRUE
                     ENVIRONMENT "${AD_UI_ENV}")
# The browsers check the page's script and what it draws; the daemon's side of the page (its bytes, the
# /events stream) runs under ASan in integration.daemon.ui, so a sanitized build leaves the browsers out
# (they took 30 s of the ASan suite).
if(NOT ASYNCDEMO_SANITIZE)
    add_test(NAME integration.daemon.browser COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/test_browser.py -v)
    set_tests_properties(integration.daemon.browser PROPERTIES LABELS integration TIMEOUT 180 RUN_SERIAL TRUE
                         ENVIRONMENT "${AD_UI_ENV};AD_ARTIFACT_DIR=${CMAKE_CURRENT_BINARY_DIR}")
    add_test(NAME integration.daemon.firefox COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/test_firefox.py -v)
    set_tests_properties(integration.daemon.firefox PROPERTIES LABELS integration TIMEOUT 60 RUN_SERIAL TRUE
                         SKIP_REGULAR_EXPRESSION "firefox-esr is not installed"
                         ENVIRONMENT "${AD_UI_ENV};AD_ARTIFACT_DIR=${CMAKE_CURRENT_BINARY_DIR}")
endif()
