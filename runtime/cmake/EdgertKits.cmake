# EdgertKits.cmake - included by runtime/CMakeLists.txt inside the edgec
# build: one runtime kit per cross target whose C compiler is found, each the
# standalone runtime project (this directory) built as an ExternalProject
# with its toolchain file and installed into ${CMAKE_BINARY_DIR}/lib/<triple>/:
#   libedgert.a libedgert_runner.a libedgert_exe_main.a include/
#   + startup.o link.ld for the Cortex-M kits (one board each).
# The host kit stays in ${CMAKE_BINARY_DIR}/lib/. Link commands: README.md.
include(ExternalProject)

get_filename_component(_edgert_runtime_dir ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)

# triple | C compiler | board | build type
set(_edgert_kits
  "aarch64-linux-gnu|aarch64-linux-gnu-gcc||Release"
  "riscv64-linux-gnu|riscv64-linux-gnu-gcc||Release"
  "thumbv7em-none-eabihf|arm-none-eabi-gcc|mps2-an386|MinSizeRel"
  "thumbv8.1m.main-none-eabihf|arm-none-eabi-gcc|mps3-an547|MinSizeRel")

set(EDGERT_KITS "")
foreach(kit IN LISTS _edgert_kits)
  string(REPLACE "|" ";" fields "${kit}")
  list(GET fields 0 triple)
  list(GET fields 1 cc)
  list(GET fields 2 board)
  list(GET fields 3 build_type)
  string(MAKE_C_IDENTIFIER "${cc}" cc_var)
  find_program(EDGERT_CC_${cc_var} ${cc})
  if(NOT EDGERT_CC_${cc_var})
    message(STATUS "edgert: no ${cc}: no runtime kit for ${triple}")
    continue()
  endif()
  ExternalProject_Add(edgert-kit-${triple}
    SOURCE_DIR ${_edgert_runtime_dir}
    PREFIX ${CMAKE_BINARY_DIR}/runtime-kits/${triple}
    BINARY_DIR ${CMAKE_BINARY_DIR}/runtime-kits/${triple}/build
    INSTALL_DIR ${CMAKE_BINARY_DIR}/lib/${triple}
    CMAKE_ARGS
      -DCMAKE_TOOLCHAIN_FILE=${_edgert_runtime_dir}/cmake/toolchains/${triple}.cmake
      -DCMAKE_BUILD_TYPE=${build_type}
      -DCMAKE_INSTALL_PREFIX=<INSTALL_DIR>
      -DEDGERT_INSTALL_LIBDIR=.
      -DEDGERT_BOARD=${board}
    # Rebuild (a no-op when nothing changed) whenever the main build runs,
    # so that runtime edits reach every kit.
    BUILD_ALWAYS ON)
  list(APPEND EDGERT_KITS ${triple})
endforeach()

if(EDGERT_KITS)
  set(_edgert_kit_targets ${EDGERT_KITS})
  list(TRANSFORM _edgert_kit_targets PREPEND edgert-kit-)
  add_custom_target(edgert-kits DEPENDS ${_edgert_kit_targets})
  message(STATUS "edgert: runtime kits in ${CMAKE_BINARY_DIR}/lib/: "
                 "${EDGERT_KITS}")
endif()
