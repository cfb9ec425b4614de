/*
 * The QA report as PDF (qa_report.h), drawn with cairo's PDF surface: text in DejaVu Sans
 * (fontconfig), tables and charts as vector paths. A4 pages: 1. the summary, the classes and the
 * entropy histogram; 2. per task, votes per label and per reviewer (continued on further pages
 * when long, the header repeated); 3. the confidence x entropy scatter; 4. the flagged items.
 * cairo writes a creation date unless told otherwise: it is left out (or taken from
 * SOURCE_DATE_EPOCH when set), so the same content gives the same bytes.
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qa_report.h"

#define PAGE_W 595.276 /* A4, in points */
#define PAGE_H 841.890
#define MARGIN 48.0
#define BODY_W (PAGE_W - 2 * MARGIN)
#define FOOTER_Y (PAGE_H - 28.0)
#define FONT "DejaVu Sans"

typedef struct pdf {
    cairo_t *cr;
    double y;   /* the next line's top */
    int page;   /* 1-based */
} pdf;

#define PI 3.14159265358979323846

static void color(pdf *p, const unsigned char rgb[3], double alpha)
{
    cairo_set_source_rgba(p->cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0, alpha);
}

static void font(pdf *p, double size, int bold)
{
    cairo_select_font_face(p->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(p->cr, size);
}

static double text_width(pdf *p, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(p->cr, s, &e);
    return e.x_advance;
}

/* Text with its baseline at y; align: 0 left of x, 1 right of x (ends at x), 2 centred on x. */
static void text_at(pdf *p, double x, double y, const char *s, int align)
{
    double w = align ? text_width(p, s) : 0.0;
    cairo_move_to(p->cr, align == 1 ? x - w : align == 2 ? x - w / 2 : x, y);
    cairo_show_text(p->cr, s);
    cairo_new_path(p->cr); /* no current point: a later arc must not start with a line */
}

static void gray(pdf *p, double g) { cairo_set_source_rgb(p->cr, g, g, g); }

static void footer(pdf *p)
{
    font(p, 8, 0);
    gray(p, 0.4);
    char s[64];
    snprintf(s, sizeof s, "softlabel panel QA report - page %d", p->page);
    text_at(p, PAGE_W / 2, FOOTER_Y, s, 2);
    gray(p, 0);
}

static void new_page(pdf *p)
{
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = MARGIN;
}

/* Starts a new page unless `height` more points fit on this one. */
static void need(pdf *p, double height)
{
    if (p->y + height > FOOTER_Y - 20)
        new_page(p);
}

static void heading(pdf *p, const char *s, double size)
{
    need(p, size * 3);
    font(p, size, 1);
    text_at(p, MARGIN, p->y + size, s, 0);
    p->y += size * 1.8;
}

/* A paragraph wrapped at the body's width (at spaces). */
static void paragraph(pdf *p, const char *s, double size)
{
    font(p, size, 0);
    gray(p, 0.3);
    char line[512];
    size_t len = 0;
    const char *w = s;
    while (*w) {
        const char *end = strchr(w, ' ');
        size_t wl = end ? (size_t)(end - w) : strlen(w);
        char trial[512];
        snprintf(trial, sizeof trial, "%.*s%s%.*s", (int)len, line, len ? " " : "", (int)wl, w);
        if (len && text_width(p, trial) > BODY_W) {
            need(p, size * 1.5);
            text_at(p, MARGIN, p->y + size, line, 0);
            p->y += size * 1.4;
            snprintf(line, sizeof line, "%.*s", (int)wl, w);
        } else {
            snprintf(line, sizeof line, "%s", trial);
        }
        len = strlen(line);
        w += wl;
        while (*w == ' ')
            w++;
    }
    if (len) {
        need(p, size * 1.5);
        text_at(p, MARGIN, p->y + size, line, 0);
        p->y += size * 1.4;
    }
    p->y += size * 0.6;
    gray(p, 0);
}

/* A cell's text as drawn: at most 48 bytes, cut at a UTF-8 character boundary, then "...". */
static const char *clip(const char *s, char *buf, size_t cap)
{
    size_t n = strlen(s);
    if (n <= 48 || cap < 56)
        return s;
    n = 45;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    snprintf(buf, cap, "%.*s...", (int)n, s);
    return buf;
}

/* The lines of a header cell ('\n' separates them): how many, and the widest's width. */
static size_t head_lines(pdf *p, const char *s, double *width)
{
    size_t lines = 0;
    *width = 0;
    for (const char *line = s; line; lines++) {
        const char *nl = strchr(line, '\n');
        char buf[128];
        snprintf(buf, sizeof buf, "%.*s", nl ? (int)(nl - line) : (int)strlen(line), line);
        double w = text_width(p, buf);
        *width = w > *width ? w : *width;
        line = nl ? nl + 1 : NULL;
    }
    return lines;
}

static void table_row(pdf *p, const qa_table *t, const char *const *cells, const double *x,
                      const double *w, double size, int head)
{
    font(p, size, head);
    size_t lines = 1;
    for (size_t c = 0; head && c < t->cols; c++) {
        double unused;
        size_t n = head_lines(p, cells[c], &unused);
        lines = n > lines ? n : lines;
    }
    double h = size * (0.5 + 1.2 * (double)lines);
    if (head) {
        gray(p, 0.93);
        cairo_rectangle(p->cr, MARGIN, p->y, x[t->cols] - MARGIN, h);
        cairo_fill(p->cr);
        gray(p, 0);
    }
    for (size_t c = 0; c < t->cols; c++) {
        char buf[128];
        const char *s = cells[c];
        for (size_t l = 0; s; l++) { /* a header's lines; a body cell is one line */
            const char *nl = head ? strchr(s, '\n') : NULL;
            snprintf(buf, sizeof buf, "%.*s", nl ? (int)(nl - s) : (int)strlen(s), s);
            char clipped[64];
            const char *text = clip(buf, clipped, sizeof clipped);
            double y = p->y + size * (1.2 + 1.2 * (double)l);
            if (t->numeric[c])
                text_at(p, x[c] + w[c] - 4, y, text, 1);
            else
                text_at(p, x[c] + 4, y, text, 0);
            s = nl ? nl + 1 : NULL;
        }
    }
    gray(p, 0.8);
    cairo_set_line_width(p->cr, 0.5);
    cairo_move_to(p->cr, MARGIN, p->y + h);
    cairo_line_to(p->cr, x[t->cols], p->y + h);
    cairo_stroke(p->cr);
    gray(p, 0);
    p->y += h;
}

/* A table: columns as wide as their widest cell, the font made smaller (to 6 points) when the
 * table would be wider than the page; continued on the next page with its header repeated. */
static void table(pdf *p, const qa_table *t)
{
    heading(p, t->title, 13);
    if (t->note)
        paragraph(p, t->note, 8);
    if (!t->rows) {
        paragraph(p, "None.", 10);
        return;
    }
    int headed = strcmp(t->id, "summary") != 0;
    double size = 9, w[QA_MAX_COLS], x[QA_MAX_COLS + 1], total;
    for (;;) {
        total = 0;
        for (size_t c = 0; c < t->cols; c++) {
            font(p, size, 1);
            w[c] = 0;
            if (headed)
                head_lines(p, t->head[c], &w[c]);
            font(p, size, 0);
            for (size_t r = 0; r < t->rows; r++) {
                char buf[64];
                double cw = text_width(p, clip(t->cell[r * t->cols + c], buf, sizeof buf));
                w[c] = cw > w[c] ? cw : w[c];
            }
            w[c] += 8;
            total += w[c];
        }
        if (total <= BODY_W || size <= 6)
            break;
        size -= 0.5;
    }
    x[0] = MARGIN;
    for (size_t c = 0; c < t->cols; c++)
        x[c + 1] = x[c] + w[c];
    need(p, size * 1.7 * 3);
    if (headed)
        table_row(p, t, t->head, x, w, size, 1);
    for (size_t r = 0; r < t->rows; r++) {
        if (p->y + size * 1.7 > FOOTER_Y - 20) {
            new_page(p);
            if (headed)
                table_row(p, t, t->head, x, w, size, 1);
        }
        table_row(p, t, (const char *const *)t->cell + r * t->cols, x, w, size, 0);
    }
    p->y += 14;
}

/* Vertical bars with their labels under them and counts above. */
static void bars(pdf *p, const char *title, const char *const *labels, const size_t *counts,
                 size_t n, const unsigned char (*rgb)[3], size_t n_rgb)
{
    const double height = 170, chart_top = 18, base = 30;
    heading(p, title, 13);
    need(p, height + base);
    size_t max = 1;
    for (size_t i = 0; i < n; i++)
        max = counts[i] > max ? counts[i] : max;
    double slot = BODY_W / (double)n, bottom = p->y + height;
    for (size_t i = 0; i < n; i++) {
        double h = (height - chart_top) * (double)counts[i] / (double)max;
        double x = MARGIN + slot * (double)i + slot * 0.1;
        color(p, rgb[i % n_rgb], 1.0);
        cairo_rectangle(p->cr, x, bottom - h, slot * 0.8, h);
        cairo_fill(p->cr);
        gray(p, 0);
        char s[32];
        snprintf(s, sizeof s, "%zu", counts[i]);
        font(p, 8, 0);
        text_at(p, x + slot * 0.4, bottom - h - 4, s, 2);
        font(p, n > 6 ? 6.5 : 8, 0);
        text_at(p, x + slot * 0.4, bottom + 12, labels[i], 2);
    }
    cairo_set_line_width(p->cr, 0.8);
    cairo_move_to(p->cr, MARGIN, bottom);
    cairo_line_to(p->cr, MARGIN + BODY_W, bottom);
    cairo_stroke(p->cr);
    p->y = bottom + base;
}

static void scatter(pdf *p, const qa_content *c)
{
    const double size = 380, left = MARGIN + 40;
    heading(p, "Confidence and entropy", 13);
    font(p, 9, 0);
    text_at(p, MARGIN, p->y + 9, QA_SCATTER_TITLE, 0);
    p->y += 22;
    double top = p->y;
    cairo_set_line_width(p->cr, 0.8);
    cairo_rectangle(p->cr, left, top, size, size);
    cairo_stroke(p->cr);
    font(p, 8, 0);
    for (int tick = 0; tick <= 4; tick++) {
        double v = tick / 4.0;
        char s[16];
        snprintf(s, sizeof s, "%.2f", v);
        text_at(p, left + v * size, top + size + 12, s, 2);
        text_at(p, left - 4, top + size - v * size + 3, s, 1);
    }
    font(p, 9, 0);
    text_at(p, left + size / 2, top + size + 28, QA_SCATTER_X, 2);
    cairo_save(p->cr);
    cairo_move_to(p->cr, MARGIN + 2, top + size / 2 + text_width(p, QA_SCATTER_Y) / 2);
    cairo_rotate(p->cr, -PI / 2);
    cairo_show_text(p->cr, QA_SCATTER_Y);
    cairo_new_path(p->cr);
    cairo_restore(p->cr);
    for (size_t i = 0; i < c->n_points; i++) {
        const qa_point *pt = &c->points[i];
        color(p, QA_CLASS_RGB[pt->cls], 0.6);
        cairo_arc(p->cr, left + pt->confidence * size, top + size - pt->entropy * size, 2.6, 0,
                  2 * PI);
        cairo_fill(p->cr);
    }
    gray(p, 0);
    double fy = top + size - c->flag_entropy * size, fx = left + c->flag_confidence * size;
    const double dash[] = {5, 4};
    cairo_set_dash(p->cr, dash, 2, 0);
    cairo_move_to(p->cr, left, fy);
    cairo_line_to(p->cr, left + size, fy);
    cairo_move_to(p->cr, fx, top);
    cairo_line_to(p->cr, fx, fy);
    cairo_stroke(p->cr);
    cairo_set_dash(p->cr, NULL, 0, 0);
    font(p, 8, 0);
    text_at(p, left + 4, top + 12, "rubric review", 0);
    text_at(p, left + size - 4, top + 12, "genuine ambiguity", 1);
    font(p, 9, 0);
    for (int k = 0; k < SL_DISAGREEMENT_CLASSES; k++) {
        double y = top + 10 + 16 * k;
        color(p, QA_CLASS_RGB[k], 1.0);
        cairo_arc(p->cr, left + size + 14, y, 3.5, 0, 2 * PI);
        cairo_fill(p->cr);
        gray(p, 0);
        text_at(p, left + size + 22, y + 3, QA_CLASS_NAMES[k], 0);
    }
    p->y = top + size + 44;
    paragraph(p, c->scatter_note, 9);
}

static cairo_status_t write_stream(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

/* The creation date: none, unless SOURCE_DATE_EPOCH (seconds since 1970) asks for one. */
static void set_dates(cairo_surface_t *s)
{
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    char date[32] = "";
    char *end;
    long long t = epoch ? strtoll(epoch, &end, 10) : -1;
    if (epoch && *epoch && !*end && t >= 0) {
        time_t tt = (time_t)t;
        struct tm tm;
        if (gmtime_r(&tt, &tm))
            strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date); /* "": omitted */
}

int qa_write_pdf(const qa_content *c, FILE *out)
{
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_stream, out, PAGE_W, PAGE_H);
    set_dates(s);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "softlabel panel QA report");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "softlabel " SOFTLABEL_VERSION_STRING);
    pdf p = {cairo_create(s), MARGIN, 1};
    heading(&p, "Reviewer panels: QA report", 18);
    char input[600];
    snprintf(input, sizeof input, "Input: %s", c->input);
    paragraph(&p, input, 9);
    table(&p, &c->summary);
    bars(&p, "Disagreement classes", QA_CLASS_NAMES, c->classes, SL_DISAGREEMENT_CLASSES,
         QA_CLASS_RGB, SL_DISAGREEMENT_CLASSES);
    const char *bins[10];
    for (int i = 0; i < 10; i++)
        bins[i] = c->histogram_label[i];
    bars(&p, "Entropy: items per bin (bits)", bins, c->histogram, 10, QA_HISTOGRAM_RGB, 1);
    paragraph(&p, c->histogram_note, 8);
    new_page(&p);
    table(&p, &c->tasks);
    table(&p, &c->labels);
    table(&p, &c->reviewers);
    new_page(&p);
    scatter(&p, c);
    new_page(&p);
    table(&p, &c->flagged);
    if (c->flagged_rest[0])
        paragraph(&p, c->flagged_rest, 9);
    footer(&p);
    cairo_status_t st = cairo_status(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    return st == CAIRO_STATUS_SUCCESS && fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
