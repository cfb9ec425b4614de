"""ctypes mirrors of softlabel.h's sl_dawid_skene_out and sl_dawid_skene_options, shared by the
crowd-kit conformance test (tests/qa/ds_conformance.py) and benchmark (bench/ds_vs_crowdkit.py)."""
import ctypes


class Out(ctypes.Structure):
    _fields_ = [("posterior", ctypes.POINTER(ctypes.c_double)), ("posterior_ld", ctypes.c_size_t),
                ("prior", ctypes.POINTER(ctypes.c_double)),
                ("confusion", ctypes.POINTER(ctypes.c_double)),
                ("accuracy", ctypes.POINTER(ctypes.c_double)),
                ("iterations", ctypes.c_uint32), ("converged", ctypes.c_int),
                ("elbo_per_annotation", ctypes.c_double)]


class Options(ctypes.Structure):
    _fields_ = [("max_iterations", ctypes.c_uint32), ("tolerance", ctypes.c_double),
                ("n_threads", ctypes.c_uint)]
