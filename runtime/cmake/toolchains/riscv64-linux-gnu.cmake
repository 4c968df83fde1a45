# RISC-V 64 Linux (glibc, lp64d) with the vector extension, Debian's
# gcc-riscv64-linux-gnu. Run under qemu-riscv64 -cpu rv64,v=true,vlen=128.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CMAKE_C_COMPILER riscv64-linux-gnu-gcc)
set(CMAKE_C_FLAGS_INIT "-march=rv64gcv -mabi=lp64d")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
