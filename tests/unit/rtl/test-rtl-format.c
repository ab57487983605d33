/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MSVC printf dialect (wsk-reference §5.7): 32-bit 'l', I/I64/z sizes, %ws/%S/%wZ/%Z,
 * Windows' %p, "(null)", flags/width/precision/'*', wide output, truncation. Expected strings
 * are what MSVC's CRT/DbgPrint print for the same directives. */
#include <stdarg.h>
#include <string.h>

#include "owsk_test.h"
#include "rtl/rtl.h"

static char out[512];

#define F(expect, ...)                                                                     \
    do {                                                                                   \
        size_t n_ = owsk_rtl_snprintf(out, sizeof(out), __VA_ARGS__);                      \
        CHECK_STR(out, expect);                                                            \
        CHECK_UINT(n_, strlen(expect));                                                    \
    } while (0)

static WCHAR wout[256];

/* Wide output with a wide format (what RtlStringCbPrintfW does), compared as UTF-8. */
static const char *wfmt(const WCHAR *fmt, ...)
{
    static char u8[512];
    struct owsk_fmt_out o = {.wide = true, .buf = wout, .cap = 255};
    va_list ap;

    va_start(ap, fmt);
    owsk_rtl_vformat(&o, fmt, true, ap);
    va_end(ap);
    wout[o.len] = 0;
    owsk_rtl_utf16_to_utf8(wout, o.len, u8, sizeof(u8));
    return u8;
}

static void test_integers(void)
{
    F("42 -42 42", "%d %i %u", 42, -42, 42u);
    F("ff FF 777", "%x %X %o", 255u, 255u, 0777u);
    /* 'l' is 32-bit: the 64-bit bits beyond are not read (the next argument is) */
    F("c0000005 7", "%lx %d", (ULONG)0xC0000005u, 7);
    F("-1", "%ld", (LONG)-1);
    F("4294967295", "%lu", (ULONG)0xFFFFFFFFu);
    F("123456789abcdef0 1", "%I64x %d", 0x123456789abcdef0ull, 1);
    F("123456789ABCDEF0", "%llX", 0x123456789abcdef0ull);
    F("-9223372036854775808", "%I64d", (long long)(-9223372036854775807LL - 1));
    F("18446744073709551615", "%Iu", (SIZE_T)~(SIZE_T)0);
    F("-5", "%Id", (SSIZE_T)-5);
    F("FFFFFFFFFFFFFFFF", "%IX", (ULONG_PTR)~(ULONG_PTR)0);
    F("10 20", "%zu %zd", (size_t)10, (SSIZE_T)20);
    F("7 8", "%I32u %I32d", 7u, 8);
    F("-1 255", "%hhd %hhu", 255, 255);
    F("-1 65535", "%hd %hu", 65535, 65535);
    /* flags, width, precision */
    F("00000042", "%08X", 0x42u);
    F("   42|42   |", "%5d|%-5d|", 42, 42);
    F("+42 -42  42", "%+d %+d % d", 42, -42, 42);
    F("42 2a", "%+u % x", 42u, 42u);
    F("0x1f 0X1F 017 0", "%#x %#X %#o %#x", 31u, 31u, 15u, 0u);
    F("  00042", "%7.5d", 42);
    F("", "%.0d", 0);
    F("-0042", "%05d", -42);
    F("   ab", "%*x", 5, 0xabu);
    F("ab   |", "%*x|", -5, 0xabu);
    F("00012", "%.*d", 5, 12);
    F("100%", "%d%%", 100);
}

static void test_pointers(void)
{
    F("0000000000001234", "%p", (void *)0x1234);
    F("FFFF800012345678", "%p", (void *)0xFFFF800012345678ull);
    F("0000000000000000", "%p", (void *)0);
    F("  0000000000000001", "%18p", (void *)1);
}

static void test_strings(void)
{
    static const WCHAR w[] = u"wide \u00e9\u20ac";
    UNICODE_STRING us;
    STRING as;
    char abuf[] = "ansiXXX";

    F("a b", "%s %c", "a", 'b');
    F("(null)", "%s", (char *)NULL);
    F("(null) (null)", "%ws %S", (WCHAR *)NULL, (WCHAR *)NULL);
    F("wide \xc3\xa9\xe2\x82\xac", "%ws", w);
    F("wide \xc3\xa9\xe2\x82\xac", "%ls", w);
    F("wide \xc3\xa9\xe2\x82\xac", "%S", w);
    F("wi", "%.2ws", w);
    F("  abc|abc  |ab", "%5s|%-5s|%.2s", "abc", "abc", "abc");
    F("\xe2\x82\xac Z", "%C %wc", (int)0x20ac, (int)'Z');
    F("x y", "%lc %hc", (int)'x', (int)'y');
    F("\xf0\x9f\x98\x80", "%ws", u"\U0001F600");

    us.Buffer = (PWCH)u"counted, no NUL here";
    us.Length = 7 * sizeof(WCHAR);
    us.MaximumLength = us.Length;
    F("[counted]", "[%wZ]", &us);
    as.Buffer = abuf;
    as.Length = 4;
    as.MaximumLength = sizeof(abuf);
    F("[ansi]", "[%Z]", &as);
    F("(null) (null)", "%wZ %Z", (UNICODE_STRING *)NULL, (STRING *)NULL);
    us.Buffer = NULL;
    F("(null)", "%wZ", &us);
    /* Odd byte lengths print the whole characters only. */
    us.Buffer = (PWCH)u"abc";
    us.Length = 5;
    F("ab", "%wZ", &us);
}

static void test_floats_and_odd(void)
{
    F("3.50 1.000000e+00", "%.2f %e", 3.5, 1.0);
    F("[%y]", "[%y]");
    F("abc%", "abc%");
    {
        int x = 5;
        F("n:", "n:%n", &x);
        CHECK_INT(x, 5);
    }
}

static void test_truncation(void)
{
    char small[8];
    size_t n = owsk_rtl_snprintf(small, sizeof(small), "%s", "0123456789");

    CHECK_UINT(n, 10);
    CHECK_STR(small, "0123456");
    /* A multi-byte sequence is never split. */
    n = owsk_rtl_snprintf(small, 4, "ab%ws", u"\u20ac");
    CHECK_UINT(n, 5);
    CHECK_STR(small, "ab");
    CHECK_UINT(owsk_rtl_snprintf(NULL, 0, "%d", 12345), 5);
}

static void test_wide(void)
{
    CHECK_STR(wfmt(u"%s and %S", u"wide", "narrow"), "wide and narrow");
    CHECK_STR(wfmt(u"%hs %ls %ws", "h", u"l", u"w"), "h l w");
    CHECK_STR(wfmt(u"%c%C", (int)u'\u00e9', (int)'n'), "\xc3\xa9n");
    CHECK_STR(wfmt(u"%08lx %p", (ULONG)0xbeef, (void *)0x10), "0000beef 0000000000000010");
    CHECK_STR(wfmt(u"%hs", "caf\xc3\xa9"), "caf\xc3\xa9");
    CHECK_STR(wfmt(u"%hs", "\xe9t\xe9"), "\xc3\xa9t\xc3\xa9"); /* not UTF-8: Latin-1 */
}

int main(void)
{
    test_integers();
    test_pointers();
    test_strings();
    test_floats_and_odd();
    test_truncation();
    test_wide();
    return t_done();
}
