#!/usr/bin/env bash
# Installs the build into a temporary prefix, then builds and runs an outside project against it:
# once through find_package(softlabel) (C, shared; C++, static) and once through pkg-config.
set -euo pipefail
build_dir=$1
source_dir=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
cmake -S "$source_dir/tests/consumer" -B "$prefix/consumer" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
LD_LIBRARY_PATH="$prefix/lib:$prefix/lib64:${LD_LIBRARY_PATH:-}" "$prefix/consumer/consumer_c"
"$prefix/consumer/consumer_static_cxx"
pcdir=$(dirname "$(find "$prefix" -name softlabel.pc | head -n 1)")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs softlabel)
cc -std=c11 "$source_dir/tests/consumer/consumer.c" $flags -o "$prefix/consumer_pc"
LD_LIBRARY_PATH="$pcdir/..:${LD_LIBRARY_PATH:-}" "$prefix/consumer_pc"
echo "install_consumer: find_package (C shared, C++ static) and pkg-config builds ran"
