/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntstrsafe: the documented status results (STATUS_INVALID_PARAMETER for a zero or oversized
 * destination, STATUS_BUFFER_OVERFLOW with a truncated, terminated result), Ex outputs and
 * flags, Cb vs Cch units, lengths, the UNICODE_STRING forms, and Printf's MSVC dialect. */
#include <string.h>

#include <ntddk.h>
#include <ntstrsafe.h>

#include "owsk_test.h"

static void test_copy_cat_a(void)
{
    char buf[8];
    char *end = NULL;
    size_t rem = 0;

    CHECK_STATUS(RtlStringCbCopyA(buf, sizeof(buf), "abc"), STATUS_SUCCESS);
    CHECK_STR(buf, "abc");
    CHECK_STATUS(RtlStringCbCopyA(buf, sizeof(buf), "0123456789"), STATUS_BUFFER_OVERFLOW);
    CHECK_STR(buf, "0123456");
    CHECK_STATUS(RtlStringCchCopyA(buf, 0, "x"), STATUS_INVALID_PARAMETER);
    buf[0] = 'q';
    CHECK_STATUS(RtlStringCchCopyA(buf, (size_t)NTSTRSAFE_MAX_CCH + 1, "x"),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlStringCchCopyA(buf, sizeof(buf), NULL), STATUS_INVALID_PARAMETER);
    CHECK_STR(buf, "");

    CHECK_STATUS(RtlStringCchCopyNA(buf, sizeof(buf), "abcdef", 3), STATUS_SUCCESS);
    CHECK_STR(buf, "abc");
    CHECK_STATUS(RtlStringCchCopyNA(buf, sizeof(buf), "abcdefghij", 9), STATUS_BUFFER_OVERFLOW);
    CHECK_STR(buf, "abcdefg");
    CHECK_STATUS(RtlStringCchCopyNA(buf, sizeof(buf), "ab", (size_t)NTSTRSAFE_MAX_CCH),
                 STATUS_INVALID_PARAMETER);

    RtlStringCbCopyA(buf, sizeof(buf), "ab");
    CHECK_STATUS(RtlStringCbCatA(buf, sizeof(buf), "cd"), STATUS_SUCCESS);
    CHECK_STR(buf, "abcd");
    CHECK_STATUS(RtlStringCbCatA(buf, sizeof(buf), "efghij"), STATUS_BUFFER_OVERFLOW);
    CHECK_STR(buf, "abcdefg");
    CHECK_STATUS(RtlStringCbCatA(buf, sizeof(buf), "x"), STATUS_BUFFER_OVERFLOW);
    CHECK_STR(buf, "abcdefg");
    RtlStringCbCopyA(buf, sizeof(buf), "ab");
    CHECK_STATUS(RtlStringCchCatNA(buf, sizeof(buf), "cdef", 1), STATUS_SUCCESS);
    CHECK_STR(buf, "abc");
    memset(buf, 'z', sizeof(buf)); /* not terminated within the buffer */
    CHECK_STATUS(RtlStringCbCatA(buf, sizeof(buf), "x"), STATUS_INVALID_PARAMETER);

    /* Ex: end pointer and remaining, flags */
    CHECK_STATUS(RtlStringCchCopyExA(buf, sizeof(buf), "abc", &end, &rem, 0), STATUS_SUCCESS);
    CHECK(end == buf + 3);
    CHECK_UINT(rem, 5);
    CHECK_STATUS(RtlStringCchCopyExA(buf, sizeof(buf), "abcdefghij", &end, &rem, 0),
                 STATUS_BUFFER_OVERFLOW);
    CHECK(end == buf + 7);
    CHECK_UINT(rem, 1);
    CHECK_STATUS(RtlStringCchCopyExA(buf, sizeof(buf), "abcdefghij", &end, &rem,
                                     STRSAFE_NO_TRUNCATION),
                 STATUS_BUFFER_OVERFLOW);
    CHECK_STR(buf, "");
    CHECK(end == buf);
    CHECK_UINT(rem, 8);
    CHECK_STATUS(RtlStringCchCopyExA(buf, sizeof(buf), "ab", &end, &rem,
                                     STRSAFE_FILL_BEHIND_NULL | 'x'),
                 STATUS_SUCCESS);
    CHECK(memcmp(buf, "ab\0xxxxx", 8) == 0);
    CHECK_STATUS(RtlStringCchCopyExA(buf, sizeof(buf), "abcdefghij", NULL, NULL,
                                     STRSAFE_FILL_ON_FAILURE | 'y'),
                 STATUS_BUFFER_OVERFLOW);
    CHECK(memcmp(buf, "yyyyyyy\0", 8) == 0);
    CHECK_STATUS(RtlStringCchCopyExA(buf, sizeof(buf), NULL, &end, &rem, STRSAFE_IGNORE_NULLS),
                 STATUS_SUCCESS);
    CHECK_STR(buf, "");
    CHECK_UINT(rem, 8);
    CHECK_STATUS(RtlStringCchCopyExA(buf, sizeof(buf), "a", NULL, NULL, 0x80000000u),
                 STATUS_INVALID_PARAMETER);
    /* Cat NO_TRUNCATION keeps the original text */
    RtlStringCbCopyA(buf, sizeof(buf), "abc");
    CHECK_STATUS(RtlStringCbCatExA(buf, sizeof(buf), "defghij", &end, &rem,
                                   STRSAFE_NO_TRUNCATION),
                 STATUS_BUFFER_OVERFLOW);
    CHECK_STR(buf, "abc");
    CHECK(end == buf + 3);
    CHECK_UINT(rem, 5);
}

static void test_w(void)
{
    WCHAR buf[5];
    WCHAR *end;
    size_t rem;

    CHECK_STATUS(RtlStringCbCopyW(buf, sizeof(buf), L"abcd"), STATUS_SUCCESS);
    CHECK(buf[3] == 'd' && buf[4] == 0);
    CHECK_STATUS(RtlStringCbCopyW(buf, sizeof(buf), L"abcdef"), STATUS_BUFFER_OVERFLOW);
    CHECK(buf[3] == 'd' && buf[4] == 0);
    /* an odd byte count: only whole characters are used, the odd byte shows in remaining */
    CHECK_STATUS(RtlStringCbCopyExW(buf, 7, L"a", &end, &rem, 0), STATUS_SUCCESS);
    CHECK(end == buf + 1);
    CHECK_UINT(rem, 5);
    CHECK_STATUS(RtlStringCbCopyW(buf, 1, L"a"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlStringCchCatW(buf, 5, L"bcdef"), STATUS_BUFFER_OVERFLOW);
    CHECK(buf[0] == 'a' && buf[3] == 'd' && buf[4] == 0);
}

static void test_printf(void)
{
    char buf[16];
    WCHAR wbuf[16];
    char *end;
    size_t rem, len;
    UNICODE_STRING us;

    RtlInitUnicodeString(&us, L"Port");
    CHECK_STATUS(RtlStringCbPrintfA(buf, sizeof(buf), "%wZ=%lu", &us, (ULONG)7), STATUS_SUCCESS);
    CHECK_STR(buf, "Port=7");
    CHECK_STATUS(RtlStringCbPrintfA(buf, sizeof(buf), "%I64x", 0x1122334455667ull),
                 STATUS_SUCCESS);
    CHECK_STR(buf, "1122334455667");
    CHECK_STATUS(RtlStringCbPrintfA(buf, sizeof(buf), "%s-%s", "0123456789", "abcdef"),
                 STATUS_BUFFER_OVERFLOW);
    CHECK_STR(buf, "0123456789-abcd");
    CHECK_STATUS(RtlStringCbPrintfA(buf, 0, "x"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlStringCchPrintfExA(buf, sizeof(buf), &end, &rem, 0, "%d", 123),
                 STATUS_SUCCESS);
    CHECK(end == buf + 3);
    CHECK_UINT(rem, 13);
    CHECK_STATUS(RtlStringCchPrintfW(wbuf, 16, L"%s:%S:%d", L"w", "n", 5), STATUS_SUCCESS);
    CHECK(memcmp(wbuf, L"w:n:5", 12) == 0);
    CHECK_STATUS(RtlStringCbPrintfW(wbuf, 8, L"%s", L"abcdef"), STATUS_BUFFER_OVERFLOW);
    CHECK(wbuf[2] == 'c' && wbuf[3] == 0);

    CHECK_STATUS(RtlStringCbLengthA("hello", 16, &len), STATUS_SUCCESS);
    CHECK_UINT(len, 5);
    CHECK_STATUS(RtlStringCbLengthA("hello", 5, &len), STATUS_INVALID_PARAMETER);
    CHECK_UINT(len, 0);
    CHECK_STATUS(RtlStringCchLengthW(L"hey", 4, &len), STATUS_SUCCESS);
    CHECK_UINT(len, 3);
    CHECK_STATUS(RtlStringCbLengthW(L"hey", 8, &len), STATUS_SUCCESS);
    CHECK_UINT(len, 6);
    CHECK_STATUS(RtlStringCchLengthA(NULL, 4, &len), STATUS_INVALID_PARAMETER);
}

static void test_unicode_string(void)
{
    WCHAR b[4];
    UNICODE_STRING d = {0, sizeof(b), b}, s;

    CHECK_STATUS(RtlUnicodeStringInit(&s, L"abc"), STATUS_SUCCESS);
    CHECK_UINT(s.Length, 6);
    CHECK_UINT(s.MaximumLength, 8);
    CHECK_STATUS(RtlUnicodeStringValidate(&s), STATUS_SUCCESS);
    s.Length = 3;
    CHECK_STATUS(RtlUnicodeStringValidate(&s), STATUS_INVALID_PARAMETER);
    s.Length = 6;
    CHECK_STATUS(RtlUnicodeStringCopy(&d, &s), STATUS_SUCCESS);
    CHECK_UINT(d.Length, 6);
    CHECK_STATUS(RtlUnicodeStringCat(&d, &s), STATUS_BUFFER_OVERFLOW);
    CHECK_UINT(d.Length, 8);
    CHECK(b[3] == 'a');
    CHECK_STATUS(RtlUnicodeStringCopyString(&d, L"xy"), STATUS_SUCCESS);
    CHECK_STATUS(RtlUnicodeStringCatString(&d, L"z"), STATUS_SUCCESS);
    CHECK_UINT(d.Length, 6);
    CHECK(b[2] == 'z');
    CHECK_STATUS(RtlUnicodeStringPrintf(&d, L"%d%d", 12, 34), STATUS_SUCCESS);
    CHECK_UINT(d.Length, 8);
    CHECK(b[0] == '1' && b[3] == '4');
    CHECK_STATUS(RtlUnicodeStringPrintf(&d, L"%d", 12345), STATUS_BUFFER_OVERFLOW);
    CHECK_UINT(d.Length, 8);
    d.Length = 5;
    CHECK_STATUS(RtlUnicodeStringCopy(&d, &s), STATUS_INVALID_PARAMETER);
}

int main(void)
{
    test_copy_cat_a();
    test_w();
    test_printf();
    test_unicode_string();
    return t_done();
}
