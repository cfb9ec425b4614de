/*
 * Output files of every softlabel command, replaced atomically, and the signals that must not
 * leave anything behind.
 *
 * An output path "-" is standard output. A regular file (or a new one) is written to a temporary
 * file in the same directory ("NAME.tmp.XXXXXX"), fsync'ed, and renamed over it only when the
 * whole run succeeded, so an existing file is either its old self or complete, never torn. A
 * symbolic link is followed: its target is replaced and the link kept. Anything else that exists
 * (/dev/null, a FIFO, a terminal) is written in place.
 *
 * SIGINT, SIGTERM and SIGHUP remove every temporary file still open and exit 130, 143, 129
 * (128 + the signal). An input guarded by sl_guard_mapping that shrinks underneath its mapping
 * (SIGBUS on a page past its new end) ends the run with "softlabel: FILE: changed while being
 * read" and exit 74 instead of a crash, the temporary files removed as well.
 */
#ifndef SL_TOOLS_OUTFILE_H
#define SL_TOOLS_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct sl_outfile {
    int fd;
    FILE *fp;              /* set by sl_outfile_stream */
    char *path;            /* as given, for messages */
    char *target;          /* the file to replace (symlinks and ".." resolved) */
    int tmp_slot;          /* slot of the temporary file in the signal-time registry, -1: none */
} sl_outfile;

/* An output not opened (yet); zero-initialized is not opened either. */
#define SL_OUTFILE_NONE {.fd = -1, .tmp_slot = -1}

/* Installs the signal handlers (once, from main, before any output is opened). */
void sl_signals_install(void);

/* Refuses outputs of one run that name the same file, also through "..", symlinks or hard links
 * (two "-" count as the same; character devices such as /dev/null may repeat). opts[i] names the
 * option of paths[i] for the message; NULL paths are skipped. Returns 0, or -1 after printing
 * "softlabel CMD: OPT1 and OPT2 name the same file 'PATH'". Call it before reading any input. */
int sl_outputs_distinct(const char *cmd, const char *const *opts, const char *const *paths, size_t n);

/* Opens path for writing; on failure prints "softlabel: PATH: cannot create: reason" and returns
 * -1 (exit code SL_EX_CANTCREAT). */
int sl_outfile_open(sl_outfile *o, const char *path);

/* A stdio stream on the output (created at the first call); sl_outfile_commit flushes it. */
FILE *sl_outfile_stream(sl_outfile *o);

/* Finishes a successful write: flushes, fsyncs and closes, then renames the temporary file over
 * the target. Returns 0, or -1 after printing why (the old file is then untouched). */
int sl_outfile_commit(sl_outfile *o);

/* Commits several outputs of one run as one: every file is flushed, fsync'ed and closed before
 * any rename, so a write failure in any of them leaves all the old files untouched; the renames
 * then go in array order (put the main output last). Returns 0, or -1 after printing why (the
 * outputs not yet renamed are abandoned). NULL entries are skipped. */
int sl_outfile_commit_all(sl_outfile *const *files, size_t n);

/* Abandons the output: removes the temporary file. Safe on one never opened, or committed. */
void sl_outfile_abort(sl_outfile *o);

/* Reading a mapped input: a SIGBUS at an address in [addr, addr + len) is reported as the file
 * `name` having changed while being read (exit 74). One mapping at a time; len 0 forgets it. */
void sl_guard_mapping(const void *addr, size_t len, const char *name);

#endif
