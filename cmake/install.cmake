# Install rules, exported targets, package config and pkg-config file (like fmt).
include(CMakePackageConfigHelpers)

set(EMBARK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/embark)
set(embark_install_targets embark)
if(TARGET embark_emulator)
  list(APPEND embark_install_targets embark_emulator)
endif()
if(TARGET embark_testing)
  list(APPEND embark_install_targets embark_testing)
endif()

install(TARGETS ${embark_install_targets} EXPORT embark-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/embark/include/embark DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/testing/include/embark DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET embark_emulator)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/emulator/include/embark DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
install(EXPORT embark-targets NAMESPACE embark:: DESTINATION ${EMBARK_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/embark-config.cmake.in
  ${PROJECT_BINARY_DIR}/embark-config.cmake INSTALL_DESTINATION ${EMBARK_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/embark-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/embark-config.cmake ${PROJECT_BINARY_DIR}/embark-config-version.cmake
  DESTINATION ${EMBARK_CMAKE_DIR})

file(RELATIVE_PATH EMBARK_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
if(EMBARK_REDIS)
  set(EMBARK_PC_REDIS_REQUIRES " hiredis")
  set(EMBARK_PC_REDIS_CFLAGS " -DEMBARK_HAS_REDIS=1")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/embark.pc.in ${PROJECT_BINARY_DIR}/embark.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/embark.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
