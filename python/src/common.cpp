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

const StatusInfo status_table[] = {
    {SL_ERR_NULL_ARGUMENT, "NULL_ARGUMENT", nullptr, nullptr},
    {SL_ERR_NOT_INITIALIZED, "NOT_INITIALIZED", nullptr, nullptr},
    {SL_ERR_PARAM_W_PROGRESS, "PARAM_W_PROGRESS", "w_progress", nullptr},
    {SL_ERR_PARAM_W_REWORK, "PARAM_W_REWORK", "w_rework", nullptr},
    {SL_ERR_PARAM_W_VERIFIER, "PARAM_W_VERIFIER", "w_verifier", nullptr},
    {SL_ERR_PARAM_W_ENGAGEMENT, "PARAM_W_ENGAGEMENT", "w_engagement", nullptr},
    {SL_ERR_PARAM_SIGMOID_K, "PARAM_SIGMOID_K", "sigmoid_k", nullptr},
    {SL_ERR_PARAM_REWORK_DECAY, "PARAM_REWORK_DECAY", "rework_decay", nullptr},
    {SL_ERR_PARAM_REJECTION_DECAY, "PARAM_REJECTION_DECAY", "rejection_decay", nullptr},
    {SL_ERR_PARAM_MISUSE_DECAY, "PARAM_MISUSE_DECAY", "misuse_decay", nullptr},
    {SL_ERR_PARAM_WEIGHT_SUM, "PARAM_WEIGHT_SUM", "weights", nullptr},
    {SL_ERR_NAN_TASK_PROGRESS, "NAN_TASK_PROGRESS", nullptr, "task_progress_delta"},
    {SL_ERR_NEGATIVE_REWORK_COUNT, "NEGATIVE_REWORK_COUNT", nullptr, "rework_count"},
    {SL_ERR_NEGATIVE_VERIFIER_REJECTIONS, "NEGATIVE_VERIFIER_REJECTIONS", nullptr,
     "verifier_rejections"},
    {SL_ERR_NEGATIVE_TOOL_MISUSE, "NEGATIVE_TOOL_MISUSE", nullptr, "tool_misuse_flags"},
    {SL_ERR_NAN_ENGAGEMENT, "NAN_ENGAGEMENT", nullptr, "counterparty_engagement_delta"},
    {SL_ERR_NAN_INPUT, "NAN_INPUT", nullptr, "x"},
    {SL_ERR_INVERSE_SIGMOID_DOMAIN, "INVERSE_SIGMOID_DOMAIN", nullptr, "p"},
    {SL_ERR_ISA_UNKNOWN, "ISA_UNKNOWN", nullptr, nullptr},
    {SL_ERR_ISA_UNSUPPORTED, "ISA_UNSUPPORTED", nullptr, nullptr},
    {SL_ERR_PARAM_S_PLUS, "PARAM_S_PLUS", "s_plus", nullptr},
    {SL_ERR_PARAM_S_MINUS, "PARAM_S_MINUS", "s_minus", nullptr},
    {SL_ERR_PARAM_H, "PARAM_H", "h", nullptr},
    {SL_ERR_PARAM_THETA, "PARAM_THETA", "theta", nullptr},
    {SL_ERR_PARAM_RHO_A, "PARAM_RHO_A", "rho_a", nullptr},
    {SL_ERR_PARAM_RHO_B, "PARAM_RHO_B", "rho_b", nullptr},
    {SL_ERR_PARAM_W_REP, "PARAM_W_REP", "w_rep", nullptr},
    {SL_ERR_BREAK_EVEN_UNDEFINED, "BREAK_EVEN_UNDEFINED", nullptr, nullptr},
    {SL_ERR_INVALID_P, "INVALID_P", nullptr, "p"},
    {SL_ERR_NONFINITE_TAU, "NONFINITE_TAU", nullptr, "tau"},
    {SL_ERR_NONFINITE_C_A, "NONFINITE_C_A", nullptr, "c_a"},
    {SL_ERR_NONFINITE_C_B, "NONFINITE_C_B", nullptr, "c_b"},
    {SL_ERR_NONFINITE_R_A, "NONFINITE_R_A", nullptr, "r_a"},
    {SL_ERR_NONFINITE_R_B, "NONFINITE_R_B", nullptr, "r_b"},
    {SL_ERR_PAYOFF_OVERFLOW, "PAYOFF_OVERFLOW", nullptr, "payoffs"},
    {SL_ERR_INVALID_ACCEPTED, "INVALID_ACCEPTED", nullptr, "accepted"},
    {SL_ERR_INVALID_GROUND_TRUTH, "INVALID_GROUND_TRUTH", nullptr, "ground_truth"},
    {SL_ERR_P_GIVEN, "P_GIVEN", nullptr, nullptr},
    {SL_ERR_STATE_MISMATCH, "STATE_MISMATCH", nullptr, nullptr},
    {SL_ERR_OUT_OF_MEMORY, "OUT_OF_MEMORY", nullptr, nullptr},
    {SL_ERR_PANEL_BAD_VOTES, "PANEL_BAD_VOTES", nullptr, "votes"},
    {SL_ERR_DIST_BAD_VALUE, "DIST_BAD_VALUE", nullptr, "distribution"},
    {SL_ERR_DIST_SUM, "DIST_SUM", nullptr, "distribution"},
    {SL_ERR_PARAM_MIN_REVIEWERS, "PARAM_MIN_REVIEWERS", "min_reviewers", nullptr},
    {SL_ERR_PARAM_MAJORITY, "PARAM_MAJORITY", "majority_threshold", nullptr},
    {SL_ERR_PANEL_SHAPE, "PANEL_SHAPE", nullptr, nullptr},
    {SL_ERR_ALPHA_TOTALS, "ALPHA_TOTALS", nullptr, "total"},
    {SL_ERR_THREAD_COUNT, "THREAD_COUNT", "threads", nullptr},
    {SL_ERR_SIZE_OVERFLOW, "SIZE_OVERFLOW", nullptr, nullptr},
    {SL_ERR_OVERLAP, "OVERLAP", nullptr, nullptr},
    {SL_ERR_PANEL_ITEM_ID, "PANEL_ITEM_ID", nullptr, "item_id"},
    {SL_ERR_PANEL_TASK, "PANEL_TASK", nullptr, "task"},
    {SL_ERR_PANEL_REVIEWER, "PANEL_REVIEWER", nullptr, "reviewer"},
    {SL_ERR_PANEL_LABEL, "PANEL_LABEL", nullptr, "label"},
    {SL_ERR_PANEL_CONFIDENCE, "PANEL_CONFIDENCE", nullptr, "confidence"},
    {SL_ERR_PANEL_ERROR_MARK, "PANEL_ERROR_MARK", nullptr, "error"},
    {SL_ERR_PANEL_UNKNOWN_TASK, "PANEL_UNKNOWN_TASK", nullptr, "task"},
    {SL_ERR_PANEL_UNKNOWN_LABEL, "PANEL_UNKNOWN_LABEL", nullptr, "label"},
    {SL_ERR_PANEL_UNKNOWN_GOLD, "PANEL_UNKNOWN_GOLD", nullptr, "gold"},
    {SL_ERR_PANEL_TASK_CONFLICT, "PANEL_TASK_CONFLICT", nullptr, "task"},
    {SL_ERR_PANEL_DUPLICATE, "PANEL_DUPLICATE", nullptr, "reviewer"},
    {SL_ERR_PANEL_GOLD_CONFLICT, "PANEL_GOLD_CONFLICT", nullptr, "gold"},
    {SL_ERR_PANEL_STATE, "PANEL_STATE", nullptr, nullptr},
    {SL_ERR_PANEL_TASK_TWICE, "PANEL_TASK_TWICE", nullptr, nullptr},
    {SL_ERR_PANEL_LABEL_TWICE, "PANEL_LABEL_TWICE", nullptr, nullptr},
    {SL_ERR_PANEL_INDEX, "PANEL_INDEX", nullptr, nullptr},
    {SL_ERR_PANEL_TOO_LARGE, "PANEL_TOO_LARGE", nullptr, nullptr},
    {SL_ERR_PARAM_ADJUDICATE, "PARAM_ADJUDICATE", "adjudicate", nullptr},
    {SL_ERR_PARAM_FLAG_ENTROPY, "PARAM_FLAG_ENTROPY", "flag_entropy", nullptr},
    {SL_ERR_PARAM_FLAG_CONFIDENCE, "PARAM_FLAG_CONFIDENCE", "flag_confidence", nullptr},
    {SL_ERR_DS_ITEM, "DS_ITEM", nullptr, "item"},
    {SL_ERR_DS_REVIEWER, "DS_REVIEWER", nullptr, "reviewer"},
    {SL_ERR_DS_LABEL, "DS_LABEL", nullptr, "label"},
    {SL_ERR_PARAM_DS_ITERATIONS, "PARAM_DS_ITERATIONS", "max_iterations", nullptr},
    {SL_ERR_PARAM_DS_TOLERANCE, "PARAM_DS_TOLERANCE", "tolerance", nullptr},
    {SL_ERR_PARAM_BINS, "PARAM_BINS", "bins", nullptr},
    {SL_ERR_PARAM_QUALITY_THRESHOLD, "PARAM_QUALITY_THRESHOLD", "quality_threshold", nullptr},
    {SL_ERR_PARAM_UNCERTAINTY_BAND, "PARAM_UNCERTAINTY_BAND", "uncertainty_band", nullptr},
    {SL_ERR_PARAM_LOG_LOSS_EPS, "PARAM_LOG_LOSS_EPS", "log_loss_eps", nullptr},
    {SL_ERR_PARAM_METRICS_FLAGS, "PARAM_METRICS_FLAGS", "flags", nullptr},
    {SL_ERR_BLOB_TRUNCATED, "BLOB_TRUNCATED", nullptr, nullptr},
    {SL_ERR_BLOB_MAGIC, "BLOB_MAGIC", nullptr, nullptr},
    {SL_ERR_BLOB_VERSION, "BLOB_VERSION", nullptr, nullptr},
    {SL_ERR_BLOB_CHECKSUM, "BLOB_CHECKSUM", nullptr, nullptr},
    {SL_ERR_BLOB_CORRUPT, "BLOB_CORRUPT", nullptr, nullptr},
    {SL_ERR_BUFFER_TOO_SMALL, "BUFFER_TOO_SMALL", nullptr, nullptr},
};

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
