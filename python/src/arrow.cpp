// Scoring Arrow data through the Arrow PyCapsule interface (__arrow_c_stream__ /
// __arrow_c_array__), which pyarrow, polars, pandas >= 2.2 and DuckDB export. The structs below
// are the Arrow C data and C stream interfaces, ABI-stable by specification
// (arrow.apache.org/docs/format/CDataInterface.html), declared as the specification says
// consumers should. Numeric buffers are scored in place; a column that needs converting (a count
// in another integer type, or nulls to mark) is converted a block of rows at a time.
#include "common.h"
#include "core.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

extern "C" {
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};
struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};
#endif
#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};
#endif
}

namespace slpy {

namespace {

constexpr size_t BLOCK = 65536; // rows converted at a time when a column needs converting

const char *const observable_names[5] = {"task_progress_delta", "rework_count",
                                         "verifier_rejections", "counterparty_engagement_delta",
                                         "tool_misuse_flags"};
constexpr int PROGRESS = 0, REWORK = 1, VERIFIER = 2, ENGAGEMENT = 3, MISUSE = 4;

// Owners that call the producer's release callback (the stream, its schema, each batch).
struct SchemaOwner {
    ArrowSchema s{};
    ~SchemaOwner()
    {
        if (s.release)
            s.release(&s);
    }
};
struct ArrayOwner {
    ArrowArray a{};
    ArrayOwner() = default;
    ArrayOwner(ArrayOwner &&o) noexcept : a(o.a) { o.a.release = nullptr; }
    ArrayOwner(const ArrayOwner &) = delete;
    ArrayOwner &operator=(const ArrayOwner &) = delete;
    ~ArrayOwner()
    {
        if (a.release)
            a.release(&a);
    }
};

// A primitive Arrow type the scorer reads: its format character, element size, integer or real.
struct ColumnType {
    char format;
    size_t width;
    bool is_real;
};

bool column_type(const char *format, ColumnType *t)
{
    if (!format || !format[0] || format[1])
        return false;
    switch (format[0]) {
    case 'g': *t = {'g', 8, true}; return true;
    case 'f': *t = {'f', 4, true}; return true;
    case 'c': *t = {'c', 1, false}; return true;
    case 'C': *t = {'C', 1, false}; return true;
    case 's': *t = {'s', 2, false}; return true;
    case 'S': *t = {'S', 2, false}; return true;
    case 'i': *t = {'i', 4, false}; return true;
    case 'I': *t = {'I', 4, false}; return true;
    case 'l': *t = {'l', 8, false}; return true;
    case 'L': *t = {'L', 8, false}; return true;
    }
    return false;
}

int64_t read_int(const void *data, const ColumnType &t, size_t i)
{
    switch (t.format) {
    case 'c': return static_cast<const int8_t *>(data)[i];
    case 'C': return static_cast<const uint8_t *>(data)[i];
    case 's': return static_cast<const int16_t *>(data)[i];
    case 'S': return static_cast<const uint16_t *>(data)[i];
    case 'i': return static_cast<const int32_t *>(data)[i];
    case 'I': return static_cast<const uint32_t *>(data)[i];
    case 'l': return static_cast<const int64_t *>(data)[i];
    }
    uint64_t u = static_cast<const uint64_t *>(data)[i]; // 'L'
    return u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? std::numeric_limits<int64_t>::max()
               : static_cast<int64_t>(u);
}

// One observable column of one batch: where its values and validity bits start.
struct BatchColumn {
    const void *data = nullptr;    // element 0 of this batch (offsets applied)
    const uint8_t *validity = nullptr;
    int64_t bit_offset = 0;        // validity bit of element 0
    bool has_nulls = false;

    bool valid(size_t i) const
    {
        if (!has_nulls)
            return true;
        size_t b = static_cast<size_t>(bit_offset) + i;
        return (validity[b >> 3] >> (b & 7)) & 1;
    }
};

struct FrameColumns {
    int index[5];      // child index per observable (-1: tool_misuse_flags absent)
    ColumnType type[5];
    std::string name[5];
};

// The schema's columns for the five observables, with their types checked.
FrameColumns find_columns(const ArrowSchema &schema, const std::vector<std::string> &names)
{
    if (std::strcmp(schema.format, "+s") != 0)
        throw nb::type_error("score_frame: the Arrow data is not a table (a struct of columns)");
    FrameColumns fc;
    for (int o = 0; o < 5; o++) {
        fc.index[o] = -1;
        fc.name[o] = names[o];
        if (names[o].empty())
            continue; // tool_misuse_flags=None in columns=: absent
        for (int64_t c = 0; c < schema.n_children; c++)
            if (schema.children[c]->name && names[o] == schema.children[c]->name)
                fc.index[o] = static_cast<int>(c);
        if (fc.index[o] < 0) {
            if (o == MISUSE)
                continue; // optional: all zero
            throw nb::key_error(("score_frame: no column '" + names[o] + "' for " +
                                 observable_names[o] + " (map it with columns=)")
                                    .c_str());
        }
        const ArrowSchema &cs = *schema.children[fc.index[o]];
        bool real = o == PROGRESS || o == ENGAGEMENT;
        if (!column_type(cs.format, &fc.type[o]) || fc.type[o].is_real != real)
            throw nb::type_error(("score_frame: column '" + names[o] + "' (" +
                                  observable_names[o] + ") has Arrow format '" + cs.format +
                                  "'; expected " +
                                  (real ? "float64 or float32" : "an integer type"))
                                     .c_str());
    }
    if (fc.type[PROGRESS].format != fc.type[ENGAGEMENT].format)
        throw nb::type_error(("score_frame: columns '" + names[PROGRESS] + "' and '" +
                              names[ENGAGEMENT] +
                              "' differ in precision (float64 vs float32); cast one of them")
                                 .c_str());
    return fc;
}

BatchColumn batch_column(const ArrowArray &batch, int index, const ColumnType &t)
{
    BatchColumn bc;
    if (index < 0)
        return bc;
    const ArrowArray &c = *batch.children[index];
    int64_t start = batch.offset + c.offset;
    bc.data = static_cast<const char *>(c.buffers[1]) + start * static_cast<int64_t>(t.width);
    bc.validity = static_cast<const uint8_t *>(c.buffers[0]);
    bc.bit_offset = start;
    bc.has_nulls = bc.validity && c.null_count != 0;
    return bc;
}

template <class T> struct FrameScorer {
    const Proxy &px;
    const FrameColumns &fc;
    unsigned threads;
    bool mask;
    T *v, *p;                  // outputs, whole frame
    std::vector<T> real_buf[2];
    std::vector<int32_t> count_buf[3];

    // Scores rows [0, n) of one batch into v + row0, p + row0. Returns the failure (row within
    // the frame) and, for a null, that the value was null; a count beyond int32 is reported as
    // its own failure (too_large).
    struct Failure {
        sl_status status = SL_OK;
        size_t row = 0;
        int column = -1;
        bool null = false, too_large = false;
        int64_t value = 0;
    };

    Failure batch(const ArrowArray &b, size_t row0)
    {
        size_t n = static_cast<size_t>(b.length);
        BatchColumn col[5];
        bool direct = true;
        for (int o = 0; o < 5; o++) {
            col[o] = batch_column(b, fc.index[o], fc.type[o]);
            if (col[o].has_nulls || (fc.index[o] >= 0 && !fc.type[o].is_real &&
                                     fc.type[o].format != 'i'))
                direct = false;
        }
        size_t step = direct ? (n ? n : 1) : BLOCK;
        for (size_t start = 0; start < n; start += step) {
            size_t len = std::min(step, n - start);
            typename Prec<T>::Obs obs;
            Failure f = direct ? Failure{} : convert(col, start, len, row0);
            if (f.status != SL_OK || f.too_large)
                return f;
            if (direct) {
                obs = {static_cast<const T *>(col[PROGRESS].data) + start,
                       static_cast<const int32_t *>(col[REWORK].data) + start,
                       static_cast<const int32_t *>(col[VERIFIER].data) + start,
                       col[MISUSE].data ? static_cast<const int32_t *>(col[MISUSE].data) + start
                                        : nullptr,
                       static_cast<const T *>(col[ENGAGEMENT].data) + start};
            } else {
                obs = {pick_real(col, PROGRESS, 0, start), pick_count(col, REWORK, 0, start),
                       pick_count(col, VERIFIER, 1, start),
                       fc.index[MISUSE] >= 0 ? pick_count(col, MISUSE, 2, start) : nullptr,
                       pick_real(col, ENGAGEMENT, 1, start)};
            }
            T *vb = v + row0 + start, *pb = p + row0 + start;
            RowFailure rf = run_rows_nogil(len, mask, [&](size_t s, size_t *bad) {
                typename Prec<T>::Obs o = shifted(obs, s);
                return Prec<T>::score(&px.px, &o, len - s, vb + s, pb + s, bad, threads);
            }, [&](size_t row) { vb[row] = pb[row] = std::numeric_limits<T>::quiet_NaN(); });
            if (rf.status != SL_OK) {
                f.status = rf.status;
                f.row = row0 + start + rf.row;
                f.column = column_of(rf.status);
                f.null = f.column >= 0 && !col[f.column].valid(start + rf.row);
                return f;
            }
        }
        return Failure{};
    }

    // The observable a row status names (-1: none), by the column name the status table gives.
    static int column_of(sl_status st)
    {
        const char *column = status_column(st);
        for (int o = 0; column && o < 5; o++)
            if (std::strcmp(column, observable_names[o]) == 0)
                return o;
        return -1;
    }

    // The block's values of the columns that are not usable as they are, into the buffers:
    // nulls become NaN (reals) or -1 (counts), so the library reports them as invalid rows;
    // integer counts are narrowed to int32, checked.
    Failure convert(const BatchColumn (&col)[5], size_t start, size_t len, size_t row0)
    {
        const int reals[2] = {PROGRESS, ENGAGEMENT}, counts[3] = {REWORK, VERIFIER, MISUSE};
        for (int r = 0; r < 2; r++) {
            const BatchColumn &c = col[reals[r]];
            if (!c.has_nulls)
                continue;
            real_buf[r].resize(BLOCK);
            const T *src = static_cast<const T *>(c.data);
            for (size_t i = 0; i < len; i++)
                real_buf[r][i] = c.valid(start + i) ? src[start + i]
                                                    : std::numeric_limits<T>::quiet_NaN();
        }
        for (int k = 0; k < 3; k++) {
            int o = counts[k];
            const BatchColumn &c = col[o];
            if (fc.index[o] < 0 || (!c.has_nulls && fc.type[o].format == 'i'))
                continue;
            count_buf[k].resize(BLOCK);
            for (size_t i = 0; i < len; i++) {
                if (!c.valid(start + i)) {
                    count_buf[k][i] = -1;
                    continue;
                }
                int64_t x = read_int(c.data, fc.type[o], start + i);
                if (x > std::numeric_limits<int32_t>::max()) {
                    Failure f;
                    f.too_large = true;
                    f.row = row0 + start + i;
                    f.column = o;
                    f.value = x;
                    return f;
                }
                count_buf[k][i] = x < 0 ? -1 : static_cast<int32_t>(x);
            }
        }
        return Failure{};
    }

    const T *pick_real(const BatchColumn (&col)[5], int o, int buf, size_t start)
    {
        return col[o].has_nulls ? real_buf[buf].data()
                                : static_cast<const T *>(col[o].data) + start;
    }
    const int32_t *pick_count(const BatchColumn (&col)[5], int o, int buf, size_t start)
    {
        bool as_is = !col[o].has_nulls && fc.type[o].format == 'i';
        return as_is ? static_cast<const int32_t *>(col[o].data) + start : count_buf[buf].data();
    }
};

template <class T>
nb::tuple score_batches(const Proxy &px, const FrameColumns &fc, std::vector<ArrayOwner> &batches,
                        unsigned threads, bool mask)
{
    size_t total = 0;
    for (auto &b : batches)
        total += static_cast<size_t>(b.a.length);
    T *v, *p;
    nb::object v_obj = new_array<T>(total, &v), p_obj = new_array<T>(total, &p);
    FrameScorer<T> scorer{px, fc, threads, mask, v, p, {}, {}};
    typename FrameScorer<T>::Failure f;
    {
        nb::gil_scoped_release release;
        size_t row0 = 0;
        for (auto &b : batches) {
            f = scorer.batch(b.a, row0);
            if (f.status != SL_OK || f.too_large)
                break;
            row0 += static_cast<size_t>(b.a.length);
        }
    }
    if (f.too_large)
        throw nb::value_error(("score_frame: row " + std::to_string(f.row) + ", column '" +
                               fc.name[f.column] + "': count " + std::to_string(f.value) +
                               " exceeds the library's int32 range")
                                  .c_str());
    if (f.status != SL_OK)
        raise_status(f.status, "score_frame", f.row,
                     f.column >= 0 ? fc.name[f.column].c_str() : nullptr, -1,
                     f.null ? "null (a missing value is an invalid row)" : nullptr);
    return nb::make_tuple(v_obj, p_obj);
}

std::string last_error(ArrowArrayStream *stream)
{
    const char *e = stream->get_last_error(stream);
    return e ? e : "(no message)";
}

void *capsule_pointer(nb::handle capsule, const char *name)
{
    void *ptr = PyCapsule_GetPointer(capsule.ptr(), name);
    if (!ptr)
        throw nb::python_error();
    return ptr;
}

// Scores every row of an Arrow table (PyCapsule interface) with px: (v_hat, p) as numpy arrays
// in the precision of its real columns, rows in stream order.
nb::tuple score_arrow(nb::handle data, const Proxy &px, const std::vector<std::string> &names,
                      long threads_arg, const char *errors)
{
    bool mask = parse_errors(errors);
    unsigned threads = parse_threads(threads_arg);
    SchemaOwner schema;
    std::vector<ArrayOwner> batches;
    if (nb::hasattr(data, "__arrow_c_stream__")) {
        nb::object cap = data.attr("__arrow_c_stream__")();
        auto *stream = static_cast<ArrowArrayStream *>(capsule_pointer(cap, "arrow_array_stream"));
        // The batches stay owned by their producer's buffers (no copy) until released below.
        if (stream->get_schema(stream, &schema.s) != 0)
            throw nb::value_error(("score_frame: reading the Arrow schema failed: " +
                                   last_error(stream))
                                      .c_str());
        for (;;) {
            ArrayOwner b;
            if (stream->get_next(stream, &b.a) != 0)
                throw nb::value_error(("score_frame: reading an Arrow batch failed: " +
                                       last_error(stream))
                                          .c_str());
            if (!b.a.release)
                break; // end of stream
            batches.push_back(std::move(b));
        }
    } else if (nb::hasattr(data, "__arrow_c_array__")) {
        nb::tuple caps = nb::cast<nb::tuple>(data.attr("__arrow_c_array__")());
        auto *s = static_cast<ArrowSchema *>(capsule_pointer(caps[0], "arrow_schema"));
        auto *a = static_cast<ArrowArray *>(capsule_pointer(caps[1], "arrow_array"));
        schema.s = *s; // move out of the capsules (the specification's way to take ownership)
        s->release = nullptr;
        batches.emplace_back();
        batches.back().a = *a;
        a->release = nullptr;
    } else {
        throw nb::type_error("score_frame: expected an object with the Arrow PyCapsule interface "
                             "(__arrow_c_stream__ or __arrow_c_array__): a pyarrow Table, "
                             "polars or pandas DataFrame, DuckDB relation, ...");
    }
    FrameColumns fc = find_columns(schema.s, names);
    if (fc.type[PROGRESS].format == 'f')
        return score_batches<float>(px, fc, batches, threads, mask);
    return score_batches<double>(px, fc, batches, threads, mask);
}

} // namespace

void bind_arrow(nb::module_ &m)
{
    m.def("_score_arrow", &score_arrow, nb::arg("data"), nb::arg("proxy"), nb::arg("names"),
          nb::arg("threads"), nb::arg("errors"),
          "Scores an Arrow table given through the PyCapsule interface; names: the frame's "
          "column for each of the five observables (\"\" for an absent tool_misuse_flags). "
          "Returns (v_hat, p). Used by softlabel.score_frame.");
}

} // namespace slpy
