# asyncdemoctl in Ukrainian against the real daemon (tests/integration/test_i18n.py), with the catalogues the
# build made (po/CMakeLists.txt); about 3 s.
add_test(NAME integration.ctl.i18n COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/test_i18n.py -v)
set_tests_properties(integration.ctl.i18n PROPERTIES LABELS integration TIMEOUT 60
    ENVIRONMENT "ASYNCDEMOD=$<TARGET_FILE:asyncdemod>;ASYNCDEMOCTL=$<TARGET_FILE:asyncdemoctl>;ASYNCDEMO_LOCALEDIR=${AD_LOCALE_BUILD_DIR};PYTHONDONTWRITEBYTECODE=1")
