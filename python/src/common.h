// Shared by the extension's sources: strict array arguments (nanobind ndarray without
// conversion: C-contiguous, CPU, exact dtype; outputs writable), explicit checked casting, new
// numpy outputs, and turning a library status into the package's exception classes.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>

#include "softlabel.h"

namespace nb = nanobind;

namespace slpy {

// Element types by name, for messages and for numpy casting.
template <class T> constexpr const char *dtype_name();
template <> constexpr const char *dtype_name<double>() { return "float64"; }
template <> constexpr const char *dtype_name<float>() { return "float32"; }
template <> constexpr const char *dtype_name<int32_t>() { return "int32"; }
template <> constexpr const char *dtype_name<int8_t>() { return "int8"; }
template <> constexpr const char *dtype_name<uint8_t>() { return "uint8"; }

// A 1-D input: its data and length; ptr is nullptr for an absent optional argument.
template <class T> struct In {
    const T *ptr = nullptr;
    size_t n = 0;
};
template <class T> struct Out {
    T *ptr = nullptr;
    size_t n = 0;
};

// Raises TypeError saying why `h` is not a C-contiguous CPU array of `want` (a read-only
// output, a wrong dtype, strides, dimensions), and that cast=True converts inputs.
[[noreturn]] void array_type_error(nb::handle h, const char *name, const char *want, bool output,
                                   size_t ndim);

// Converts `h` with numpy to a C-contiguous array of dtype `want`, checking that nothing is lost:
// integers must keep their value (2**32+1 never becomes 1), floats converted to integers must be
// integral, and finite values must stay finite. Raises ValueError naming the first element that
// does not survive. Returns the new array (the caller keeps it alive during the call).
nb::object checked_cast(nb::handle h, const char *name, const char *want);

// The strict view of `h` as a 1-D (or `ndim`-D) input of T; with `cast`, non-matching inputs are
// converted by checked_cast into `keep` first.
template <class T>
const T *input_array(nb::handle h, const char *name, bool cast, nb::object &keep, size_t *shape,
                     size_t ndim = 1)
{
    nb::ndarray<nb::ro, nb::device::cpu, nb::c_contig> a;
    bool ok = nb::try_cast(h, a, false) && a.ndim() == ndim && a.dtype() == nb::dtype<T>();
    if (!ok && cast) {
        keep = checked_cast(h, name, dtype_name<T>());
        ok = nb::try_cast(keep, a, false) && a.ndim() == ndim && a.dtype() == nb::dtype<T>();
    }
    if (!ok)
        array_type_error(h, name, dtype_name<T>(), false, ndim);
    for (size_t d = 0; d < ndim; d++)
        shape[d] = a.shape(d);
    return static_cast<const T *>(a.data());
}

template <class T> In<T> input(nb::handle h, const char *name, bool cast, nb::object &keep)
{
    In<T> in;
    if (h.is_none())
        return in;
    in.ptr = input_array<T>(h, name, cast, keep, &in.n);
    return in;
}

// A writable output of T: never converted (a copy would not be the caller's buffer).
template <class T> Out<T> output(nb::handle h, const char *name)
{
    nb::ndarray<nb::device::cpu, nb::c_contig> a;
    if (!nb::try_cast(h, a, false) || a.ndim() != 1 || a.dtype() != nb::dtype<T>())
        array_type_error(h, name, dtype_name<T>(), true, 1);
    return Out<T>{static_cast<T *>(a.data()), a.shape(0)};
}

// The length every array argument of a call must share.
void check_length(size_t n, size_t got, const char *name);

// New uninitialized numpy arrays and where to write them. The memory comes from Python's raw
// allocator, so tracemalloc sees what a call allocates (the zero-copy tests rely on it).
template <class T> T *raw_new(size_t count, nb::capsule *owner)
{
    T *p = static_cast<T *>(PyMem_RawMalloc(count ? count * sizeof(T) : 1));
    if (!p)
        throw std::bad_alloc();
    *owner = nb::capsule(p, [](void *q) noexcept { PyMem_RawFree(q); });
    return p;
}
template <class T> nb::object new_array(size_t n, T **data)
{
    nb::capsule owner;
    *data = raw_new<T>(n, &owner);
    return nb::cast(nb::ndarray<nb::numpy, T, nb::ndim<1>>(*data, {n}, owner));
}
template <class T> nb::object new_array_2d(size_t rows, size_t cols, T **data)
{
    nb::capsule owner;
    *data = raw_new<T>(rows * cols, &owner);
    return nb::cast(nb::ndarray<nb::numpy, T, nb::ndim<2>>(*data, {rows, cols}, owner));
}

// An output argument given as `h` (checked) or, for None, a new array of n elements.
template <class T> nb::object output_or_new(nb::handle h, const char *name, size_t n, T **data)
{
    if (h.is_none())
        return new_array<T>(n, data);
    Out<T> o = output<T>(h, name);
    check_length(n, o.n, name);
    *data = o.ptr;
    return nb::borrow(h);
}

// The precision of a call, from its leading real argument's dtype: 64 or 32; with `cast`,
// anything that is not float32 computes in float64. Raises TypeError otherwise.
int precision_of(nb::handle h, const char *name, bool cast);

// Whether a status is about one row of the input (it then has a row and a column).
bool is_row_status(sl_status st);

// Raises the package's exception for a failed status: ParameterError (with .parameter),
// InvalidRowError (row, column; rows_added for metrics updates, -1: not applicable), IsaError,
// else SoftlabelError. `what` prefixes the message (the function's name).
// `detail` replaces the status text in the message (e.g. "null" for an Arrow null).
[[noreturn]] void raise_status(sl_status st, const char *what, size_t row = 0,
                               const char *column_override = nullptr, long long rows_added = -1,
                               const char *detail = nullptr);

// The column a row status names (nullptr when it names none).
const char *status_column(sl_status st);

// errors="raise" | "mask"
bool parse_errors(const char *errors);

// Rows of the thread count argument: 1 .. SL_MAX_THREADS.
unsigned parse_threads(long threads);

// str(h), as Python gives it.
std::string text(nb::handle h);

// {"NAN_TASK_PROGRESS": 30, ...}: every status the library returns, for softlabel.Status.
nb::dict status_codes();

// The package's Python classes (exceptions, named tuples, MetricsReport), registered by name
// once by softlabel/__init__.py, and looked up by name.
void register_types(nb::dict classes);
nb::handle registered_type(const char *name);

void bind_panel(nb::module_ &m);
void bind_arrow(nb::module_ &m);
void bind_swarm(nb::module_ &m); // softlabel._core._swarm (swarm.cpp)

} // namespace slpy
