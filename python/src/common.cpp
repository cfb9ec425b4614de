// The helpers of common.h: argument messages, checked casts, statuses as exceptions.
#include "common.h"

#include <cstdio>

namespace slpy {

namespace {
nb::dict *types; // the package's Python classes by name (softlabel/__init__.py registers them)

struct StatusInfo {
    sl_status status;
    const char *name;      // the enum name without SL_ / SL_ERR_
    const char *parameter; // the parameter a parameter status names
    const char *column;    // the input column a row status names
};

// Every status but SL_OK, by its enum name (the name text is made from it).
#define SLPY_STATUS(name, parameter, column) {SL_ERR_##name, #name, parameter, column}
const StatusInfo status_table[] = {
    SLPY_STATUS(NULL_ARGUMENT, nullptr, nullptr),
    SLPY_STATUS(NOT_INITIALIZED, nullptr, nullptr),
    SLPY_STATUS(PARAM_W_PROGRESS, "w_progress", nullptr),
    SLPY_STATUS(PARAM_W_REWORK, "w_rework", nullptr),
    SLPY_STATUS(PARAM_W_VERIFIER, "w_verifier", nullptr),
    SLPY_STATUS(PARAM_W_ENGAGEMENT, "w_engagement", nullptr),
    SLPY_STATUS(PARAM_SIGMOID_K, "sigmoid_k", nullptr),
    SLPY_STATUS(PARAM_REWORK_DECAY, "rework_decay", nullptr),
    SLPY_STATUS(PARAM_REJECTION_DECAY, "rejection_decay", nullptr),
    SLPY_STATUS(PARAM_MISUSE_DECAY, "misuse_decay", nullptr),
    SLPY_STATUS(PARAM_WEIGHT_SUM, "weights", nullptr),
    SLPY_STATUS(NAN_TASK_PROGRESS, nullptr, "task_progress_delta"),
    SLPY_STATUS(NEGATIVE_REWORK_COUNT, nullptr, "rework_count"),
    SLPY_STATUS(NEGATIVE_VERIFIER_REJECTIONS, nullptr, "verifier_rejections"),
    SLPY_STATUS(NEGATIVE_TOOL_MISUSE, nullptr, "tool_misuse_flags"),
    SLPY_STATUS(NAN_ENGAGEMENT, nullptr, "counterparty_engagement_delta"),
    SLPY_STATUS(NAN_INPUT, nullptr, "x"),
    SLPY_STATUS(INVERSE_SIGMOID_DOMAIN, nullptr, "p"),
    SLPY_STATUS(ISA_UNKNOWN, nullptr, nullptr),
    SLPY_STATUS(ISA_UNSUPPORTED, nullptr, nullptr),
    SLPY_STATUS(PARAM_S_PLUS, "s_plus", nullptr),
    SLPY_STATUS(PARAM_S_MINUS, "s_minus", nullptr),
    SLPY_STATUS(PARAM_H, "h", nullptr),
    SLPY_STATUS(PARAM_THETA, "theta", nullptr),
    SLPY_STATUS(PARAM_RHO_A, "rho_a", nullptr),
    SLPY_STATUS(PARAM_RHO_B, "rho_b", nullptr),
    SLPY_STATUS(PARAM_W_REP, "w_rep", nullptr),
    SLPY_STATUS(BREAK_EVEN_UNDEFINED, nullptr, nullptr),
    SLPY_STATUS(INVALID_P, nullptr, "p"),
    SLPY_STATUS(NONFINITE_TAU, nullptr, "tau"),
    SLPY_STATUS(NONFINITE_C_A, nullptr, "c_a"),
    SLPY_STATUS(NONFINITE_C_B, nullptr, "c_b"),
    SLPY_STATUS(NONFINITE_R_A, nullptr, "r_a"),
    SLPY_STATUS(NONFINITE_R_B, nullptr, "r_b"),
    SLPY_STATUS(PAYOFF_OVERFLOW, nullptr, "payoffs"),
    SLPY_STATUS(INVALID_ACCEPTED, nullptr, "accepted"),
    SLPY_STATUS(INVALID_GROUND_TRUTH, nullptr, "ground_truth"),
    SLPY_STATUS(P_GIVEN, nullptr, nullptr),
    SLPY_STATUS(STATE_MISMATCH, nullptr, nullptr),
    SLPY_STATUS(OUT_OF_MEMORY, nullptr, nullptr),
    SLPY_STATUS(PANEL_BAD_VOTES, nullptr, "votes"),
    SLPY_STATUS(DIST_BAD_VALUE, nullptr, "distribution"),
    SLPY_STATUS(DIST_SUM, nullptr, "distribution"),
    SLPY_STATUS(PARAM_MIN_REVIEWERS, "min_reviewers", nullptr),
    SLPY_STATUS(PARAM_MAJORITY, "majority_threshold", nullptr),
    SLPY_STATUS(PANEL_SHAPE, nullptr, nullptr),
    SLPY_STATUS(ALPHA_TOTALS, nullptr, "total"),
    SLPY_STATUS(THREAD_COUNT, "threads", nullptr),
    SLPY_STATUS(SIZE_OVERFLOW, nullptr, nullptr),
    SLPY_STATUS(OVERLAP, nullptr, nullptr),
    SLPY_STATUS(PANEL_ITEM_ID, nullptr, "item_id"),
    SLPY_STATUS(PANEL_TASK, nullptr, "task"),
    SLPY_STATUS(PANEL_REVIEWER, nullptr, "reviewer"),
    SLPY_STATUS(PANEL_LABEL, nullptr, "label"),
    SLPY_STATUS(PANEL_CONFIDENCE, nullptr, "confidence"),
    SLPY_STATUS(PANEL_ERROR_MARK, nullptr, "error"),
    SLPY_STATUS(PANEL_UNKNOWN_TASK, nullptr, "task"),
    SLPY_STATUS(PANEL_UNKNOWN_LABEL, nullptr, "label"),
    SLPY_STATUS(PANEL_UNKNOWN_GOLD, nullptr, "gold"),
    SLPY_STATUS(PANEL_TASK_CONFLICT, nullptr, "task"),
    SLPY_STATUS(PANEL_DUPLICATE, nullptr, "reviewer"),
    SLPY_STATUS(PANEL_GOLD_CONFLICT, nullptr, "gold"),
    SLPY_STATUS(PANEL_STATE, nullptr, nullptr),
    SLPY_STATUS(PANEL_TASK_TWICE, nullptr, nullptr),
    SLPY_STATUS(PANEL_LABEL_TWICE, nullptr, nullptr),
    SLPY_STATUS(PANEL_INDEX, nullptr, nullptr),
    SLPY_STATUS(PANEL_TOO_LARGE, nullptr, nullptr),
    SLPY_STATUS(PARAM_ADJUDICATE, "adjudicate", nullptr),
    SLPY_STATUS(PARAM_FLAG_ENTROPY, "flag_entropy", nullptr),
    SLPY_STATUS(PARAM_FLAG_CONFIDENCE, "flag_confidence", nullptr),
    SLPY_STATUS(DS_ITEM, nullptr, "item"),
    SLPY_STATUS(DS_REVIEWER, nullptr, "reviewer"),
    SLPY_STATUS(DS_LABEL, nullptr, "label"),
    SLPY_STATUS(PARAM_DS_ITERATIONS, "max_iterations", nullptr),
    SLPY_STATUS(PARAM_DS_TOLERANCE, "tolerance", nullptr),
    SLPY_STATUS(PARAM_BINS, "bins", nullptr),
    SLPY_STATUS(PARAM_QUALITY_THRESHOLD, "quality_threshold", nullptr),
    SLPY_STATUS(PARAM_UNCERTAINTY_BAND, "uncertainty_band", nullptr),
    SLPY_STATUS(PARAM_LOG_LOSS_EPS, "log_loss_eps", nullptr),
    SLPY_STATUS(PARAM_METRICS_FLAGS, "flags", nullptr),
    SLPY_STATUS(PARAM_AUC_SKETCH_BINS, "auc_sketch_bins", nullptr),
    SLPY_STATUS(BLOB_TRUNCATED, nullptr, nullptr),
    SLPY_STATUS(BLOB_MAGIC, nullptr, nullptr),
    SLPY_STATUS(BLOB_VERSION, nullptr, nullptr),
    SLPY_STATUS(BLOB_CHECKSUM, nullptr, nullptr),
    SLPY_STATUS(BLOB_CORRUPT, nullptr, nullptr),
    SLPY_STATUS(BUFFER_TOO_SMALL, nullptr, nullptr),
};
#undef SLPY_STATUS

const StatusInfo *find_status(sl_status st)
{
    for (const StatusInfo &s : status_table)
        if (s.status == st)
            return &s;
    return nullptr;
}

bool truthy(nb::handle h)
{
    int t = PyObject_IsTrue(h.ptr());
    if (t < 0)
        throw nb::python_error();
    return t != 0;
}

std::string attr_text(nb::handle h, const char *attr)
{
    if (!nb::hasattr(h, attr))
        return "";
    return text(h.attr(attr));
}
} // namespace

std::string text(nb::handle h)
{
    nb::object s = nb::steal(PyObject_Str(h.ptr()));
    if (!s.is_valid())
        throw nb::python_error();
    return nb::cast<std::string>(s);
}

nb::dict status_codes()
{
    nb::dict d;
    d["OK"] = 0;
    for (const StatusInfo &s : status_table)
        d[s.name] = static_cast<int>(s.status);
    return d;
}

void register_types(nb::dict classes)
{
    if (!types)
        types = new nb::dict(); // kept for the life of the process
    types->update(classes);
}

nb::handle registered_type(const char *name)
{
    if (!types || !types->contains(name))
        throw nb::import_error(("softlabel._core: class " + std::string(name) +
                                " not registered (import the package softlabel, not _core)")
                                   .c_str());
    return (*types)[name];
}

void array_type_error(nb::handle h, const char *name, const char *want, bool output, size_t ndim)
{
    std::string why;
    if (!nb::hasattr(h, "dtype") || !nb::hasattr(h, "shape")) {
        why = "a " + text(nb::handle(Py_TYPE(h.ptr())).attr("__name__")) +
              ", not an array";
    } else {
        std::string dtype = attr_text(h, "dtype");
        size_t got_ndim = nb::len(nb::object(h.attr("shape")));
        bool readonly = nb::hasattr(h, "flags") && !truthy(h.attr("flags").attr("writeable"));
        bool contiguous = !nb::hasattr(h, "flags") || truthy(h.attr("flags").attr("c_contiguous"));
        if (dtype != want)
            why = "dtype " + dtype;
        else if (got_ndim != ndim)
            why = std::to_string(got_ndim) + " dimensions";
        else if (!contiguous)
            why = "not C-contiguous (strided)";
        else if (output && readonly)
            why = "read-only";
        else
            why = "not a CPU array nanobind can view";
    }
    std::string msg = std::string(name) + ": expected a C-contiguous " + std::to_string(ndim) +
                      "-D " + (output ? "writable " : "") + want + " array, got " + why;
    if (!output)
        msg += " (pass cast=True to convert it, with a check that no value changes)";
    throw nb::type_error(msg.c_str());
}

nb::object checked_cast(nb::handle h, const char *name, const char *want)
{
    static nb::object np = nb::module_::import_("numpy");
    nb::object src = np.attr("asarray")(h);
    nb::object quiet = np.attr("errstate")(nb::arg("all") = "ignore"); // overflow is checked below
    quiet.attr("__enter__")();
    nb::object dst = np.attr("ascontiguousarray")(src.attr("astype")(want));
    quiet.attr("__exit__")(nb::none(), nb::none(), nb::none());
    std::string kind = nb::cast<std::string>(src.attr("dtype").attr("kind"));
    std::string want_kind = nb::cast<std::string>(np.attr("dtype")(want).attr("kind"));
    nb::object lost; // a boolean mask of the elements that did not survive
    if (kind == "b" || kind == "i" || kind == "u" || kind == "f") {
        if (want_kind == "f") // float targets: finite values must stay finite
            lost = np.attr("logical_and")(np.attr("isfinite")(src),
                                          np.attr("logical_not")(np.attr("isfinite")(dst)));
        else // integer targets: the exact value must survive (NaN, fractions, wrap-around)
            lost = np.attr("logical_not")(np.attr("equal")(dst, src));
    } else {
        throw nb::type_error((std::string(name) + ": cannot cast dtype " +
                              attr_text(src, "dtype") + " to " + want)
                                 .c_str());
    }
    if (truthy(lost.attr("any")())) {
        nb::object where = np.attr("argwhere")(lost)[nb::int_(0)].attr("tolist")();
        nb::object value = src[nb::tuple(where)].attr("item")();
        std::string index;
        for (nb::handle i : where)
            index += (index.empty() ? "" : ", ") + text(i);
        throw nb::value_error((std::string(name) + "[" + index + "] = " + text(nb::repr(value)) +
                               " cannot be represented as " + want)
                                  .c_str());
    }
    return dst;
}

void check_length(size_t n, size_t got, const char *name)
{
    if (n != got)
        throw nb::value_error((std::string(name) + ": length " + std::to_string(got) +
                               ", expected " + std::to_string(n) + " (the first array's length)")
                                  .c_str());
}

int precision_of(nb::handle h, const char *name, bool cast)
{
    // numpy's float64 / float32 dtypes are singletons: comparing h.dtype with them is much
    // cheaper than importing the array a second time (the strict check follows in input_array)
    static nb::handle np_f64, np_f32;
    if (!np_f64.is_valid()) {
        nb::object np = nb::module_::import_("numpy");
        np_f64 = np.attr("dtype")("float64").release();
        np_f32 = np.attr("dtype")("float32").release();
    }
    PyObject *dtype = PyObject_GetAttrString(h.ptr(), "dtype");
    if (!dtype)
        PyErr_Clear();
    Py_XDECREF(dtype); // only its identity is compared below
    if (dtype == np_f64.ptr())
        return 64;
    if (dtype == np_f32.ptr())
        return 32;
    nb::ndarray<nb::ro, nb::device::cpu> a;
    if (nb::try_cast(h, a, false)) {
        if (a.dtype() == nb::dtype<double>())
            return 64;
        if (a.dtype() == nb::dtype<float>())
            return 32;
    }
    if (cast)
        return 64;
    array_type_error(h, name, "float64 or float32", false, 1);
}

bool is_row_status(sl_status st)
{
    const StatusInfo *s = find_status(st);
    return s && s->column;
}

const char *status_column(sl_status st)
{
    const StatusInfo *s = find_status(st);
    return s ? s->column : nullptr;
}

void raise_status(sl_status st, const char *what, size_t row, const char *column_override,
                  long long rows_added, const char *detail)
{
    const StatusInfo *info = find_status(st);
    const char *text = sl_status_str(st);
    nb::object exc;
    std::string msg = std::string(what) + ": " + text;
    if (info && info->parameter) {
        exc = registered_type("ParameterError")(msg, static_cast<int>(st), text, info->parameter);
    } else if (info && info->column) {
        const char *column = column_override ? column_override : info->column;
        msg = std::string(what) + ": row " + std::to_string(row) + ", column " + column + ": " +
              (detail ? detail : text);
        if (rows_added >= 0)
            msg += " (the valid rows were added: " + std::to_string(rows_added) + ")";
        exc = registered_type("InvalidRowError")(msg, static_cast<int>(st), text, row, column,
                                rows_added >= 0 ? nb::cast(rows_added) : nb::none());
    } else if (st == SL_ERR_ISA_UNKNOWN || st == SL_ERR_ISA_UNSUPPORTED) {
        exc = registered_type("IsaError")(msg, static_cast<int>(st), text);
    } else {
        exc = registered_type("SoftlabelError")(msg, static_cast<int>(st), text);
    }
    PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(exc.ptr())), exc.ptr());
    throw nb::python_error();
}

bool parse_errors(const char *errors)
{
    std::string e = errors;
    if (e == "raise")
        return false;
    if (e == "mask")
        return true;
    throw nb::value_error(("errors: expected \"raise\" or \"mask\", got \"" + e + "\"").c_str());
}

unsigned parse_threads(long threads)
{
    if (threads < 1 || threads > SL_MAX_THREADS)
        raise_status(SL_ERR_THREAD_COUNT, ("threads=" + std::to_string(threads)).c_str());
    return static_cast<unsigned>(threads);
}

} // namespace slpy
