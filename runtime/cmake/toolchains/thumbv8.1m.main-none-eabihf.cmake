# Cortex-M55 (Armv8.1-M mainline, MVE with floating point, double-precision
# FPU), bare metal, hard-float ABI: Debian's gcc-arm-none-eabi 12 with
# libnewlib-arm-none-eabi. -mcpu=cortex-m55 implies +mve.fp+fp.dp
# (__ARM_FEATURE_MVE == 3). The board is chosen with -DEDGERT_BOARD=mps3-an547.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
