# Read by cpack (CPACK_PROJECT_CONFIG_FILE): a Debian package must be configured for /usr, or
# the units, config path and man pages would point under /usr/local.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
    message(FATAL_ERROR "the Debian package needs CMAKE_INSTALL_PREFIX=/usr (this build has "
                        "${CPACK_PACKAGING_INSTALL_PREFIX}); use packaging/build-deb.sh")
endif()
