# Install.cmake - `cmake --install build --prefix P` lays out:
#   P/bin/                 edgec, edgec-opt, edgec-run
#   P/lib/                 the host runtime (libedgert*.a), where the
#                          installed edgec looks for it (<bin>/../lib)
#   P/lib/<triple>/        the runtime kit of each cross target built
#   P/include/             edgert.h, edgert_runner.h, edgert_threads.h,
#                          edgert_npu.h
#   P/lib/cmake/EdgeC/     the CMake package (find_package(EdgeC))
#   P/lib/pkgconfig/       edgert.pc (and lib/<triple>/pkgconfig/ per kit)
#   P/share/edgec/toolchains/  the kits' CMake toolchain files
#   P/share/doc/edgec/     README and docs/
include(CMakePackageConfigHelpers)

set(EDGEC_PACKAGE_DIR lib/cmake/EdgeC)

# The tools link libLLVM/libMLIR from LLVM's own directory.
set_target_properties(edgec edgec-opt PROPERTIES
  INSTALL_RPATH "${LLVM_LIBRARY_DIR}")
install(TARGETS edgec edgec-opt edgec-run RUNTIME DESTINATION bin)

install(TARGETS edgert edgert_threads edgert_runner edgert_exe_main edgert_exe_main_npu edgert_npu
        ARCHIVE DESTINATION lib)
install(FILES runtime/include/edgert.h runtime/include/edgert_runner.h
              runtime/include/edgert_threads.h runtime/include/edgert_npu.h
        DESTINATION include)

# Each cross kit as the edgec build made it (runtime/cmake/EdgertKits.cmake).
set(EDGEC_INSTALLED_KITS ${EDGERT_KITS})
foreach(triple IN LISTS EDGERT_KITS)
  install(DIRECTORY ${CMAKE_BINARY_DIR}/lib/${triple}/
          DESTINATION lib/${triple})
  set(EDGERT_PC_WHAT "${triple} kit")
  set(EDGERT_PC_PREFIX "..")
  set(EDGERT_PC_LIBDIR ".")
  set(EDGERT_PC_INCLUDEDIR "include")
  configure_file(cmake/edgert.pc.in
                 ${CMAKE_BINARY_DIR}/pkgconfig/${triple}/edgert.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/pkgconfig/${triple}/edgert.pc
          DESTINATION lib/${triple}/pkgconfig)
endforeach()
install(DIRECTORY runtime/cmake/toolchains/
        DESTINATION share/edgec/toolchains)

set(EDGERT_PC_WHAT "host")
set(EDGERT_PC_PREFIX "../..")
set(EDGERT_PC_LIBDIR "lib")
set(EDGERT_PC_INCLUDEDIR "include")
configure_file(cmake/edgert.pc.in ${CMAKE_BINARY_DIR}/pkgconfig/edgert.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/pkgconfig/edgert.pc
        DESTINATION lib/pkgconfig)

configure_file(cmake/EdgeCConfig.cmake.in
               ${CMAKE_BINARY_DIR}/package/EdgeCConfig.cmake @ONLY)
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/package/EdgeCConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion
  # One package for every target: host tools, a runtime kit per target.
  ARCH_INDEPENDENT)
install(FILES ${CMAKE_BINARY_DIR}/package/EdgeCConfig.cmake
              ${CMAKE_BINARY_DIR}/package/EdgeCConfigVersion.cmake
        DESTINATION ${EDGEC_PACKAGE_DIR})

install(FILES README.md DESTINATION share/doc/edgec)
install(DIRECTORY docs/ DESTINATION share/doc/edgec)
install(DIRECTORY examples/ DESTINATION share/edgec/examples)
