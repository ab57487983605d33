/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MSVC printf dialect behind DbgPrint(Ex) and ntstrsafe's Printf: 32-bit 'l', I/I32/I64,
 * %ws/%S/%wZ/%Z, 16-digit uppercase %p. Only one already-parsed floating-point conversion at a
 * time is handed to libc. %n writes nothing (MSVC disables it); unknown directives print as
 * written. */
#include <stdio.h>
#include <string.h>

#include <ntdef.h>

#include "rtl/rtl.h"

enum size {
    SZ_NONE,
    SZ_HH,
    SZ_H,
    SZ_L,    /* 32-bit integers; wide characters and strings */
    SZ_64,   /* ll, I64, I, z, t, j (pointer-sized is 64-bit here) */
    SZ_32,   /* I32 */
    SZ_W,    /* w: wide characters and strings */
    SZ_LD,   /* L: long double */
};

struct spec {
    bool minus, plus, space, hash, zero;
    int width;
    int prec; /* -1: none */
    enum size size;
};

/* ---- output ---- */

/* Appends k units at once, or none: a UTF-8 sequence or surrogate pair is never split. */
static void put_units(struct owsk_fmt_out *o, const void *units, size_t k)
{
    if (!o->full && o->len + k <= o->cap) {
        if (o->wide)
            memcpy((WCHAR *)o->buf + o->len, units, k * sizeof(WCHAR));
        else
            memcpy((char *)o->buf + o->len, units, k);
        o->len += k;
    } else {
        o->full = true;
    }
    o->need += k;
}

static void put_char(struct owsk_fmt_out *o, char c)
{
    if (o->wide) {
        WCHAR w = (WCHAR)(unsigned char)c;
        put_units(o, &w, 1);
    } else {
        put_units(o, &c, 1);
    }
}

static void put_ascii(struct owsk_fmt_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_char(o, s[i]);
}

static void pad(struct owsk_fmt_out *o, char c, int n)
{
    while (n-- > 0)
        put_char(o, c);
}

/* A narrow string: copied as bytes to narrow output, decoded as UTF-8 (Latin-1 for bytes that
 * are not UTF-8) to wide output. */
static size_t utf8_seq_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;

    if (k > n)
        return 1;
    for (size_t i = 1; i < k; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return 1;
    return k;
}

static void put_narrow(struct owsk_fmt_out *o, const char *s, size_t n)
{
    if (!o->wide) {
        /* whole UTF-8 sequences, so truncation never splits one */
        while (n) {
            size_t k = utf8_seq_len(s, n);
            put_units(o, s, k);
            s += k;
            n -= k;
        }
        return;
    }
    while (n) {
        WCHAR w[3];
        size_t k = 1, got;
        unsigned char c = (unsigned char)s[0];
        if (c >= 0xC0)
            k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (k > n)
            k = 1;
        got = owsk_rtl_utf8_to_utf16(s, k, w, 3);
        if (got > 2) {
            k = 1;
            got = owsk_rtl_utf8_to_utf16(s, 1, w, 3);
        }
        put_units(o, w, got);
        s += k;
        n -= k;
    }
}

/* A wide string: UTF-16 units to wide output, UTF-8 to narrow output. */
static void put_wide(struct owsk_fmt_out *o, const WCHAR *s, size_t n)
{
    if (o->wide) {
        for (size_t i = 0; i < n; i++) {
            size_t k = (s[i] >= 0xD800 && s[i] <= 0xDBFF && i + 1 < n) ? 2 : 1;
            put_units(o, s + i, k);
            i += k - 1;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = (s[i] >= 0xD800 && s[i] <= 0xDBFF && i + 1 < n) ? 2 : 1;
        char b[8];
        size_t got = owsk_rtl_utf16_to_utf8(s + i, k, b, sizeof(b));
        put_units(o, b, got);
        i += k - 1;
    }
}

/* ---- conversions ---- */

static void emit_string(struct owsk_fmt_out *o, const struct spec *sp, const void *s, size_t n,
                        bool wide)
{
    if (sp->prec >= 0 && (size_t)sp->prec < n)
        n = (size_t)sp->prec;
    if (!sp->minus)
        pad(o, ' ', sp->width - (int)n);
    if (wide)
        put_wide(o, s, n);
    else
        put_narrow(o, s, n);
    if (sp->minus)
        pad(o, ' ', sp->width - (int)n);
}

static size_t wstrnlen(const WCHAR *s, int prec)
{
    size_t n = 0;

    while ((prec < 0 || n < (size_t)prec) && s[n])
        n++;
    return n;
}

static void emit_int(struct owsk_fmt_out *o, const struct spec *sp, uint64_t v, bool neg,
                     unsigned base, bool upper)
{
    const char *digs = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char num[72], prefix[3];
    int nd = 0, np = 0, zeros = 0, total;

    if (!(sp->prec == 0 && v == 0)) {
        uint64_t x = v;
        do {
            num[sizeof(num) - 1 - nd++] = digs[x % base];
            x /= base;
        } while (x);
    }
    if (sp->prec > nd)
        zeros = sp->prec - nd;
    if (neg)
        prefix[np++] = '-';
    else if (sp->plus)
        prefix[np++] = '+';
    else if (sp->space)
        prefix[np++] = ' ';
    if (sp->hash && base == 16 && v) {
        prefix[np++] = '0';
        prefix[np++] = upper ? 'X' : 'x';
    }
    if (sp->hash && base == 8 && zeros == 0 && (nd == 0 || num[sizeof(num) - nd] != '0'))
        zeros = 1;
    total = np + zeros + nd;
    if (sp->zero && !sp->minus && sp->prec < 0 && sp->width > total) {
        zeros += sp->width - total;
        total = sp->width;
    }
    if (!sp->minus)
        pad(o, ' ', sp->width - total);
    put_ascii(o, prefix, (size_t)np);
    pad(o, '0', zeros);
    put_ascii(o, num + sizeof(num) - nd, (size_t)nd);
    if (sp->minus)
        pad(o, ' ', sp->width - total);
}

static void emit_float(struct owsk_fmt_out *o, const struct spec *sp, char conv, va_list *ap)
{
    char f[32], out[512], *p = f;
    int n;

    *p++ = '%';
    if (sp->minus)
        *p++ = '-';
    if (sp->plus)
        *p++ = '+';
    if (sp->space)
        *p++ = ' ';
    if (sp->hash)
        *p++ = '#';
    if (sp->zero)
        *p++ = '0';
    p += sprintf(p, "%d", sp->width > 480 ? 480 : sp->width);
    if (sp->prec >= 0)
        p += sprintf(p, ".%d", sp->prec > 400 ? 400 : sp->prec);
    if (sp->size == SZ_LD) {
        *p++ = 'L';
        *p++ = conv;
        *p = 0;
        n = snprintf(out, sizeof(out), f, va_arg(*ap, long double));
    } else {
        *p++ = conv;
        *p = 0;
        n = snprintf(out, sizeof(out), f, va_arg(*ap, double));
    }
    if (n > 0)
        put_ascii(o, out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1);
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
    switch (sp->size) {
    case SZ_HH:
        return (signed char)va_arg(*ap, int);
    case SZ_H:
        return (short)va_arg(*ap, int);
    case SZ_64:
        return va_arg(*ap, long long);
    default:
        return va_arg(*ap, int32_t); /* 'l' is 32-bit on Windows */
    }
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
    switch (sp->size) {
    case SZ_HH:
        return (unsigned char)va_arg(*ap, unsigned);
    case SZ_H:
        return (unsigned short)va_arg(*ap, unsigned);
    case SZ_64:
        return va_arg(*ap, unsigned long long);
    default:
        return va_arg(*ap, uint32_t);
    }
}

static uint32_t fmt_at(const void *fmt, bool wide, size_t i)
{
    return wide ? ((const WCHAR *)fmt)[i] : (unsigned char)((const char *)fmt)[i];
}

/* Copies fmt[from, to) to the output as literal text. */
static void put_literal(struct owsk_fmt_out *o, const void *fmt, bool wide, size_t from, size_t to)
{
    if (wide)
        put_wide(o, (const WCHAR *)fmt + from, to - from);
    else
        put_narrow(o, (const char *)fmt + from, to - from);
}

void owsk_rtl_vformat(struct owsk_fmt_out *o, const void *fmt, bool wide_fmt, va_list ap_in)
{
    va_list ap;
    size_t i = 0;

    va_copy(ap, ap_in);
    for (;;) {
        size_t start = i, lit = i;
        struct spec sp = {.prec = -1};
        uint32_t c;
        bool want_wide;

        while ((c = fmt_at(fmt, wide_fmt, i)) && c != '%')
            i++;
        if (i > lit)
            put_literal(o, fmt, wide_fmt, lit, i);
        if (!c)
            break;
        start = i++;
        for (;; i++) {
            c = fmt_at(fmt, wide_fmt, i);
            if (c == '-')
                sp.minus = true;
            else if (c == '+')
                sp.plus = true;
            else if (c == ' ')
                sp.space = true;
            else if (c == '#')
                sp.hash = true;
            else if (c == '0')
                sp.zero = true;
            else
                break;
        }
        if (c == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.minus = true;
                sp.width = sp.width == -2147483647 - 1 ? 0 : -sp.width;
            }
            c = fmt_at(fmt, wide_fmt, ++i);
        } else {
            while (c >= '0' && c <= '9') {
                if (sp.width < 100000)
                    sp.width = sp.width * 10 + (int)(c - '0');
                c = fmt_at(fmt, wide_fmt, ++i);
            }
        }
        if (c == '.') {
            sp.prec = 0;
            c = fmt_at(fmt, wide_fmt, ++i);
            if (c == '*') {
                sp.prec = va_arg(ap, int);
                if (sp.prec < 0)
                    sp.prec = -1;
                c = fmt_at(fmt, wide_fmt, ++i);
            } else {
                while (c >= '0' && c <= '9') {
                    if (sp.prec < 100000)
                        sp.prec = sp.prec * 10 + (int)(c - '0');
                    c = fmt_at(fmt, wide_fmt, ++i);
                }
            }
        }
        switch (c) {
        case 'h':
            sp.size = SZ_H;
            if (fmt_at(fmt, wide_fmt, i + 1) == 'h') {
                sp.size = SZ_HH;
                i++;
            }
            i++;
            break;
        case 'l':
            sp.size = SZ_L;
            if (fmt_at(fmt, wide_fmt, i + 1) == 'l') {
                sp.size = SZ_64;
                i++;
            }
            i++;
            break;
        case 'I':
            if (fmt_at(fmt, wide_fmt, i + 1) == '6' && fmt_at(fmt, wide_fmt, i + 2) == '4') {
                sp.size = SZ_64;
                i += 3;
            } else if (fmt_at(fmt, wide_fmt, i + 1) == '3' &&
                       fmt_at(fmt, wide_fmt, i + 2) == '2') {
                sp.size = SZ_32;
                i += 3;
            } else {
                sp.size = SZ_64;
                i++;
            }
            break;
        case 'z':
        case 't':
        case 'j':
        case 'q':
            sp.size = SZ_64;
            i++;
            break;
        case 'w':
            sp.size = SZ_W;
            i++;
            break;
        case 'L':
            sp.size = SZ_LD;
            i++;
            break;
        default:
            break;
        }
        c = fmt_at(fmt, wide_fmt, i);
        if (sp.size == SZ_LD && c != 'e' && c != 'E' && c != 'f' && c != 'F' && c != 'g' &&
            c != 'G' && c != 'a' && c != 'A')
            sp.size = SZ_64;
        switch (c) {
        case 'd':
        case 'i': {
            int64_t v = arg_signed(&sp, &ap);
            emit_int(o, &sp, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, 10, false);
            break;
        }
        case 'u':
            sp.plus = sp.space = false; /* signs are for %d/%i only */
            emit_int(o, &sp, arg_unsigned(&sp, &ap), false, 10, false);
            break;
        case 'x':
            sp.plus = sp.space = false;
            emit_int(o, &sp, arg_unsigned(&sp, &ap), false, 16, false);
            break;
        case 'X':
            sp.plus = sp.space = false;
            emit_int(o, &sp, arg_unsigned(&sp, &ap), false, 16, true);
            break;
        case 'o':
            sp.plus = sp.space = false;
            emit_int(o, &sp, arg_unsigned(&sp, &ap), false, 8, false);
            break;
        case 'p': {
            struct spec ps = sp;
            ps.prec = 16; /* MSVC: all 16 digits of a 64-bit pointer, uppercase, no 0x */
            ps.hash = false;
            emit_int(o, &ps, (uintptr_t)va_arg(ap, void *), false, 16, true);
            break;
        }
        case 'c':
        case 'C': {
            /* %c is the format's own width; %C the other one; h/l/w force narrow/wide. */
            want_wide = (c == 'c') == wide_fmt;
            if (sp.size == SZ_H)
                want_wide = false;
            else if (sp.size == SZ_L || sp.size == SZ_W)
                want_wide = true;
            if (want_wide) {
                WCHAR w = (WCHAR)va_arg(ap, int);
                struct spec cs = sp;
                cs.prec = -1;
                emit_string(o, &cs, &w, 1, true);
            } else {
                char ch = (char)va_arg(ap, int);
                struct spec cs = sp;
                cs.prec = -1;
                emit_string(o, &cs, &ch, 1, false);
            }
            break;
        }
        case 's':
        case 'S': {
            want_wide = (c == 's') == wide_fmt;
            if (sp.size == SZ_H)
                want_wide = false;
            else if (sp.size == SZ_L || sp.size == SZ_W)
                want_wide = true;
            if (want_wide) {
                const WCHAR *s = va_arg(ap, const WCHAR *);
                if (s)
                    emit_string(o, &sp, s, wstrnlen(s, sp.prec), true);
                else
                    emit_string(o, &sp, "(null)", 6, false);
            } else {
                const char *s = va_arg(ap, const char *);
                if (s)
                    emit_string(o, &sp, s, sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s),
                                false);
                else
                    emit_string(o, &sp, "(null)", 6, false);
            }
            break;
        }
        case 'Z':
            if (sp.size == SZ_W || sp.size == SZ_L) {
                const UNICODE_STRING *u = va_arg(ap, const UNICODE_STRING *);
                if (u && u->Buffer)
                    emit_string(o, &sp, u->Buffer, u->Length / sizeof(WCHAR), true);
                else
                    emit_string(o, &sp, "(null)", 6, false);
            } else {
                const STRING *a = va_arg(ap, const STRING *);
                if (a && a->Buffer)
                    emit_string(o, &sp, a->Buffer, a->Length, false);
                else
                    emit_string(o, &sp, "(null)", 6, false);
            }
            break;
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'a':
        case 'A':
            emit_float(o, &sp, (char)c, &ap);
            break;
        case 'n':
            (void)va_arg(ap, void *);
            break;
        case '%':
            put_char(o, '%');
            break;
        case 0:
            put_literal(o, fmt, wide_fmt, start, i);
            va_end(ap);
            return;
        default:
            put_literal(o, fmt, wide_fmt, start, i + 1);
            break;
        }
        i++;
    }
    va_end(ap);
}

size_t owsk_rtl_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct owsk_fmt_out o = {.wide = false, .buf = buf, .cap = size ? size - 1 : 0};

    owsk_rtl_vformat(&o, fmt, false, ap);
    if (size)
        buf[o.len] = 0;
    return o.need;
}

size_t owsk_rtl_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = owsk_rtl_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
