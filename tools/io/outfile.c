/* Atomic output files and the signals around them: see outfile.h. */
#define _GNU_SOURCE /* realpath's PATH_MAX, siginfo_t */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the signal-time registry: fixed storage, so a handler reads no freed memory ---- */

#define MAX_TEMPS 16
static char temp_paths[MAX_TEMPS][PATH_MAX];
static atomic_int temp_used[MAX_TEMPS];

static struct {
    _Atomic(uintptr_t) begin, end;
    char message[PATH_MAX + 64];
    size_t message_len;
} mapping;

static void remove_temps(void)
{
    for (int i = 0; i < MAX_TEMPS; i++)
        if (atomic_load(&temp_used[i]))
            unlink(temp_paths[i]);
}

static void on_stop_signal(int sig)
{
    remove_temps();
    _exit(128 + sig);
}

static void on_sigbus(int sig, siginfo_t *info, void *context)
{
    (void)context;
    uintptr_t at = (uintptr_t)info->si_addr;
    if (at >= atomic_load(&mapping.begin) && at < atomic_load(&mapping.end)) {
        ssize_t w = write(STDERR_FILENO, mapping.message, mapping.message_len);
        (void)w;
        remove_temps();
        _exit(74); /* SL_EX_IOERR */
    }
    remove_temps(); /* not ours: die of it as the default action would */
    signal(sig, SIG_DFL);
    raise(sig);
}

void sl_signals_install(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    struct sigaction bus = {0};
    bus.sa_sigaction = on_sigbus;
    bus.sa_flags = SA_SIGINFO;
    sigemptyset(&bus.sa_mask);
    sigaction(SIGBUS, &bus, NULL);
}

void sl_guard_mapping(const void *addr, size_t len, const char *name)
{
    atomic_store(&mapping.end, 0);
    if (len == 0)
        return;
    int n = snprintf(mapping.message, sizeof mapping.message,
                     "softlabel: %s: changed while being read (truncated?)\n", name);
    mapping.message_len = n < 0 ? 0 : (size_t)n < sizeof mapping.message ? (size_t)n : sizeof mapping.message - 1;
    atomic_store(&mapping.begin, (uintptr_t)addr);
    atomic_store(&mapping.end, (uintptr_t)addr + len);
}

static int register_temp(const char *path)
{
    if (strlen(path) >= PATH_MAX)
        return -1;
    for (int i = 0; i < MAX_TEMPS; i++) {
        int expected = 0;
        if (atomic_load(&temp_used[i]))
            continue;
        memcpy(temp_paths[i], path, strlen(path) + 1);
        if (atomic_compare_exchange_strong(&temp_used[i], &expected, 1))
            return i;
    }
    return -1;
}

/* ---- resolving what a path names ---- */

/* dir + "/" + name, malloc'ed */
static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *s = malloc(a + b + 2);
    if (s) {
        memcpy(s, dir, a);
        s[a] = '/';
        memcpy(s + a + 1, name, b + 1);
    }
    return s;
}

/* The file a path names with symlinks and ".." resolved, whether it exists or not (a dangling
 * link names its target); malloc'ed, NULL when out of memory or a link loop. */
static char *resolve_target(const char *path)
{
    char *cur = strdup(path);
    for (int hops = 0; cur && hops < 40; hops++) {
        char *real = realpath(cur, NULL);
        if (real) {
            free(cur);
            return real;
        }
        struct stat st;
        char *slash = strrchr(cur, '/');
        if (lstat(cur, &st) == 0 && S_ISLNK(st.st_mode)) { /* dangling: follow it by hand */
            char link[PATH_MAX];
            ssize_t len = readlink(cur, link, sizeof link - 1);
            if (len < 0)
                break;
            link[len] = '\0';
            char *next;
            if (link[0] == '/' || !slash) {
                next = strdup(link);
            } else {
                *slash = '\0';
                next = join(cur, link);
            }
            free(cur);
            cur = next;
            continue;
        }
        /* a new file: its directory resolved, its own name as given */
        char *dir = realpath(slash ? (slash == cur ? "/" : (*slash = '\0', cur)) : ".", NULL);
        char *res = dir ? join(dir, slash ? slash + 1 : cur) : strdup(path);
        free(dir);
        free(cur);
        return res;
    }
    free(cur);
    return NULL;
}

int sl_outputs_distinct(const char *cmd, const char *const *opts, const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!paths[i])
            continue;
        for (size_t j = i + 1; j < n; j++) {
            if (!paths[j])
                continue;
            int same;
            if (!strcmp(paths[i], "-") || !strcmp(paths[j], "-")) {
                same = !strcmp(paths[i], paths[j]);
            } else {
                struct stat a, b;
                int ea = stat(paths[i], &a) == 0, eb = stat(paths[j], &b) == 0;
                if (ea && eb) {
                    same = a.st_dev == b.st_dev && a.st_ino == b.st_ino && !S_ISCHR(a.st_mode);
                } else {
                    char *ra = resolve_target(paths[i]), *rb = resolve_target(paths[j]);
                    same = ra && rb && !strcmp(ra, rb);
                    free(ra);
                    free(rb);
                }
            }
            if (same) {
                fprintf(stderr, "softlabel %s: %s and %s name the same file '%s'\n", cmd, opts[i],
                        opts[j], paths[j]);
                return -1;
            }
        }
    }
    return 0;
}

/* ---- outputs ---- */

int sl_outfile_open(sl_outfile *o, const char *path)
{
    *o = (sl_outfile)SL_OUTFILE_NONE;
    o->path = strdup(path);
    if (!o->path) {
        fprintf(stderr, "softlabel: %s: cannot create: out of memory\n", path);
        return -1;
    }
    if (!strcmp(path, "-")) {
        o->fd = STDOUT_FILENO;
        return 0;
    }
    struct stat st;
    o->target = resolve_target(path);
    if (!o->target) {
        errno = ELOOP;
        goto fail;
    }
    int exists = stat(o->target, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        o->fd = open(o->target, O_WRONLY | O_TRUNC);
        if (o->fd < 0)
            goto fail;
        return 0;
    }
    size_t len = strlen(o->target);
    char *tmp = malloc(len + 16);
    if (!tmp)
        goto fail;
    memcpy(tmp, o->target, len);
    memcpy(tmp + len, ".tmp.XXXXXX", 12);
    /* signals are held off between creating the file and registering it for removal */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    o->fd = mkstemp(tmp);
    if (o->fd >= 0 && (o->tmp_slot = register_temp(tmp)) < 0) {
        unlink(tmp);
        close(o->fd);
        o->fd = -1;
        errno = ENAMETOOLONG;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(tmp);
    if (o->fd < 0)
        goto fail;
    /* mkstemp makes the file 0600; give it the mode a plain open() would (or the old file's) */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(o->fd, exists ? st.st_mode & 07777 : 0666 & ~mask) != 0)
        goto fail;
    return 0;
fail:
    fprintf(stderr, "softlabel: %s: cannot create: %s\n", path, strerror(errno));
    sl_outfile_abort(o);
    return -1;
}

FILE *sl_outfile_stream(sl_outfile *o)
{
    if (!o->fp)
        o->fp = o->fd == STDOUT_FILENO ? stdout : fdopen(o->fd, "wb");
    return o->fp;
}

/* Flushes, fsyncs and closes; returns 0 or -1 after printing why. */
static int finish_writing(sl_outfile *o)
{
    int rc = 0;
    if (o->fp && fflush(o->fp) != 0)
        rc = -1;
    if (rc == 0 && o->fp && ferror(o->fp))
        rc = -1, errno = EIO;
    if (rc == 0 && o->tmp_slot >= 0 && fsync(o->fd) != 0)
        rc = -1;
    if (o->fd != STDOUT_FILENO) {
        int closed = o->fp ? fclose(o->fp) : close(o->fd);
        if (closed != 0 && rc == 0)
            rc = -1;
    }
    if (rc != 0)
        fprintf(stderr, "softlabel: %s: write error: %s\n", o->path, strerror(errno));
    o->fp = NULL;
    o->fd = -1;
    return rc;
}

/* Renames the temporary file over the target and forgets the output. */
static int replace_target(sl_outfile *o)
{
    int rc = 0;
    if (o->tmp_slot >= 0) {
        if (rename(temp_paths[o->tmp_slot], o->target) != 0) {
            fprintf(stderr, "softlabel: %s: cannot replace: %s\n", o->path, strerror(errno));
            rc = -1;
        } else {
            atomic_store(&temp_used[o->tmp_slot], 0);
            o->tmp_slot = -1;
            char *slash = strrchr(o->target, '/'); /* make the rename itself durable */
            if (slash) {
                *slash = '\0';
                int dir = open(slash == o->target ? "/" : o->target, O_RDONLY | O_DIRECTORY);
                if (dir >= 0) {
                    fsync(dir);
                    close(dir);
                }
            }
        }
    }
    sl_outfile_abort(o);
    return rc;
}

int sl_outfile_commit(sl_outfile *o)
{
    sl_outfile *one[1] = {o};
    return sl_outfile_commit_all(one, 1);
}

int sl_outfile_commit_all(sl_outfile *const *files, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (files[i] && files[i]->path)
            rc = finish_writing(files[i]);
    for (size_t i = 0; i < n && rc == 0; i++)
        if (files[i] && files[i]->path)
            rc = replace_target(files[i]);
    for (size_t i = 0; i < n; i++)
        if (files[i])
            sl_outfile_abort(files[i]);
    return rc;
}

void sl_outfile_abort(sl_outfile *o)
{
    if (!o->path)
        return;
    if (o->fp && o->fp != stdout)
        fclose(o->fp);
    else if (!o->fp && o->fd >= 0 && o->fd != STDOUT_FILENO)
        close(o->fd);
    if (o->tmp_slot >= 0) {
        unlink(temp_paths[o->tmp_slot]);
        atomic_store(&temp_used[o->tmp_slot], 0);
    }
    free(o->path);
    free(o->target);
    *o = (sl_outfile)SL_OUTFILE_NONE;
}
