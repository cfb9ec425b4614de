# Cross-compiling softlabel for AArch64 Linux on an x86-64 Debian host, and running its tests under
# qemu-user. Packages: scripts/setup-aarch64 (gcc-aarch64-linux-gnu, qemu-user, libsleef-dev:arm64,
# libcmocka-dev:arm64). Use:
#   cmake -S . -B build-aarch64 --toolchain cmake/aarch64-linux-gnu.cmake
#   cmake --build build-aarch64 -j2 && ctest --test-dir build-aarch64
# ctest then runs every test binary as `qemu-aarch64 -L ... -E LD_LIBRARY_PATH=... <test>`.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(SL_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${SL_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${SL_CROSS_TRIPLE}-g++) # the command's tools/numtext.cc; bench/ if enabled
set(CMAKE_LIBRARY_ARCHITECTURE ${SL_CROSS_TRIPLE})

# Debian's arm64 libraries live in the multiarch paths of the host (/usr/lib/aarch64-linux-gnu,
# /usr/include/aarch64-linux-gnu), which the cross compiler searches by itself; pkg-config must read
# their arm64 .pc files, never the host's x86-64 ones. (ENV is seen by CMake's pkg-config calls:
# the toolchain file is read again by every try_compile, so the setting holds throughout.)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${SL_CROSS_TRIPLE}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# Programs (qemu, pkg-config) are the host's; libraries and headers the target's.
set(CMAKE_FIND_ROOT_PATH /usr/${SL_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# Every test binary (and every add_test COMMAND naming a target) runs under user-mode qemu. -L
# makes qemu take the arm64 dynamic loader from the cross toolchain's C library; LD_LIBRARY_PATH
# must then name that same C library FIRST, before the multiarch SLEEF and cmocka: otherwise the
# loader also searches /lib/aarch64-linux-gnu, where libsleef's dependency libc6:arm64 puts a C
# library of another Debian revision, and a loader and libc.so of different builds hang in the
# first pthread_create. qemu passes the rest of the environment through, so SOFTLABEL_ISA and
# friends reach the tests. qemu-user emulates its "max" CPU by default (Advanced SIMD and SVE).
find_program(SL_QEMU_AARCH64 qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${SL_QEMU_AARCH64} -L /usr/${SL_CROSS_TRIPLE}
    -E LD_LIBRARY_PATH=/usr/${SL_CROSS_TRIPLE}/lib:/usr/lib/${SL_CROSS_TRIPLE})
