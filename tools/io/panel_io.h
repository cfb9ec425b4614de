/*
 * Reading annotation files for `softlabel panel`: CSV with a header (RFC 4180 quoting: a quoted
 * field may hold commas, "" for a quote, and line breaks) or JSONL (one JSON object a line, read
 * with json.h: strings must be UTF-8). The file is memory-mapped and split into chunks at record boundaries so
 * several threads can parse it at once; any record can also be re-read from its byte offset,
 * which is how error messages recover a bad record's value long after it was parsed.
 *
 * A quote-free CSV record (the common case) is split by the `score` command's SIMD splitter
 * (csv.h); records with quotes go through the parser here, which differs from csv.h's in how it
 * recovers from a malformed record: it skips the rest of that line only, and when a stray quote
 * made the quote-parity chunk split wrong the input is parsed again on one thread, so a single
 * bad quote never swallows the records after it. (csv.h's reader, which streams chunks it cannot
 * re-read, lets every quote toggle the state to the end of the record instead.)
 */
#ifndef SL_TOOLS_PANEL_IO_H
#define SL_TOOLS_PANEL_IO_H

#include <stddef.h>
#include <stdint.h>

/* The fields of an annotation, in this order everywhere. */
enum {
    PIO_ITEM, PIO_TASK, PIO_REVIEWER, PIO_LABEL, PIO_CONFIDENCE, PIO_EVIDENCE, PIO_ERROR, PIO_GOLD,
    PIO_NFIELDS
};
/* Their column (CSV) / key (JSONL) names. */
extern const char *const pio_field_names[PIO_NFIELDS];

typedef enum pio_format { PIO_CSV, PIO_JSONL } pio_format;

typedef struct pio_file {
    const char *path;
    const char *data;  /* the whole file (mapped, or read when it is not a regular file) */
    size_t size;
    size_t body;       /* offset of the first record (after a CSV header) */
    pio_format format;
    int columns;       /* CSV: number of header columns */
    int col[PIO_NFIELDS]; /* CSV: column of each field, -1 when absent */
    int mapped;        /* data is an mmap (else malloc) */
} pio_file;

/* Opens and maps path ("-": standard input, read whole), detects the format (.jsonl/.ndjson/.json
 * extension or a first byte '{': JSONL; otherwise CSV) and reads a CSV header. Returns 0, or -1
 * with a message in err (the sysexits code to use in *code: 66 cannot open, 65 bad header). */
int pio_open(pio_file *f, const char *path, char *err, size_t errlen, int *code);
void pio_close(pio_file *f);

/* Gives back the mapped pages that lie wholly inside [from, to): a parsed part of the input need
 * not stay resident (a page touched again, say to quote a bad record in a message, is mapped again
 * from the page cache). Does nothing for input read into memory (standard input). */
void pio_release(const pio_file *f, size_t from, size_t to);

/* How much of the input a sequential reader leaves resident behind itself before releasing it. */
#define PIO_RELEASE_STEP ((size_t)16 << 20)

/* Splits the records into n chunks of about equal size at record boundaries: chunk i is
 * [starts[i], starts[i+1]); starts has n + 1 entries. */
void pio_split(const pio_file *f, size_t n, size_t *starts);

typedef enum pio_kind {
    PV_ABSENT = 0, /* no such column / key */
    PV_NULL,       /* empty CSV field, JSON null */
    PV_STR,        /* text s[0..len) */
    PV_CSVQ,       /* (evidence only) the raw content of a quoted CSV field: "" stands for " */
    PV_NUM,        /* a JSON number (num); s[0..len) is its text for ids */
    PV_BOOL        /* a JSON true/false (num 1/0) */
} pio_kind;

typedef struct pio_value {
    const char *s;
    size_t len;
    double num;
    pio_kind kind;
} pio_value;

typedef struct pio_record {
    size_t offset;    /* byte offset of the record's first byte */
    pio_value f[PIO_NFIELDS];
} pio_record;

/* A cursor over one chunk. Values of a record stay valid until the next pio_next call. */
typedef struct pio_reader {
    const pio_file *f;
    size_t pos, end;
    char *scratch;      /* CSV: unescaped quoted fields; JSONL: unescaped strings, numbers as text */
    size_t scratch_cap;
    struct sl_csv_field *fields; /* CSV: the fields of a quote-free record (f->columns) */
    char message[256];  /* why the last record was refused */
} pio_reader;

void pio_reader_init(pio_reader *r, const pio_file *f, size_t start, size_t end);
void pio_reader_free(pio_reader *r);

/* The next record: 1 (rec filled), 0 at the end of the chunk, -1 for a malformed record
 * (rec->offset says where it starts, r->message why; the cursor is past it). */
int pio_next(pio_reader *r, pio_record *rec);

/* The 1-based line numbers of the sorted byte offsets off[0..n), into lines[0..n). The input read
 * to count them is released behind (pio_release). */
void pio_lines(const pio_file *f, const size_t *off, size_t n, size_t *lines);

#endif
