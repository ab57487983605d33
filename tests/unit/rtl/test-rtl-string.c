/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Counted strings as a driver uses them: init (and the Ex limits), copy with truncation,
 * compare and equal (case-insensitive too), append overflow, ANSI <-> Unicode with allocation
 * and caller buffers (non-ASCII, odd lengths, too-small buffers), upcase, integers. Expected
 * results follow the DDI docs and Wine's Windows-validated rtlstr tests. */
#include <string.h>

#include <ntddk.h>

#include "owsk_test.h"
#include "rtl/rtl.h"

static void test_init(void)
{
    UNICODE_STRING us;
    ANSI_STRING as;
    static WCHAR big[0x8000 + 1];

    t_poison(&us, sizeof(us));
    RtlInitUnicodeString(&us, L"abc");
    CHECK_UINT(us.Length, 6);
    CHECK_UINT(us.MaximumLength, 8);
    RtlInitUnicodeString(&us, NULL);
    CHECK_UINT(us.Length, 0);
    CHECK_UINT(us.MaximumLength, 0);
    CHECK(us.Buffer == NULL);
    RtlInitAnsiString(&as, "hello");
    CHECK_UINT(as.Length, 5);
    CHECK_UINT(as.MaximumLength, 6);
    RtlInitString(&as, "");
    CHECK_UINT(as.Length, 0);
    CHECK_UINT(as.MaximumLength, 1);

    /* 0x8000 characters: too long for a UNICODE_STRING */
    for (size_t i = 0; i < 0x8000; i++)
        big[i] = 'x';
    RtlInitUnicodeString(&us, big);
    CHECK_UINT(us.Length, 0xFFFC);
    CHECK_UINT(us.MaximumLength, 0xFFFE);
    t_poison(&us, sizeof(us));
    CHECK_STATUS(RtlInitUnicodeStringEx(&us, big), STATUS_NAME_TOO_LONG);
    big[0x7FFE] = 0; /* 0x7FFE characters = 0xFFFC bytes: the longest allowed */
    CHECK_STATUS(RtlInitUnicodeStringEx(&us, big), STATUS_SUCCESS);
    CHECK_UINT(us.Length, 0xFFFC);
    CHECK_STATUS(RtlInitAnsiStringEx(&as, "ok"), STATUS_SUCCESS);
    CHECK_UINT(as.Length, 2);
}

static void test_copy_compare(void)
{
    WCHAR buf[8];
    UNICODE_STRING dst = {0, sizeof(buf), buf}, src, a, b;
    char cbuf[4];
    STRING cdst = {0, sizeof(cbuf), cbuf}, csrc, ca, cb;

    RtlInitUnicodeString(&src, L"abc");
    t_poison(buf, sizeof(buf));
    RtlCopyUnicodeString(&dst, &src);
    CHECK_UINT(dst.Length, 6);
    CHECK(buf[0] == 'a' && buf[2] == 'c' && buf[3] == 0);
    /* truncated to MaximumLength, no NUL when full */
    RtlInitUnicodeString(&src, L"0123456789");
    t_poison(buf, sizeof(buf));
    RtlCopyUnicodeString(&dst, &src);
    CHECK_UINT(dst.Length, 16);
    CHECK(buf[7] == '7');
    RtlCopyUnicodeString(&dst, NULL);
    CHECK_UINT(dst.Length, 0);

    RtlInitString(&csrc, "abcdef");
    RtlCopyString(&cdst, &csrc);
    CHECK_UINT(cdst.Length, 4);
    CHECK(memcmp(cbuf, "abcd", 4) == 0);

    RtlInitUnicodeString(&a, L"Hello");
    RtlInitUnicodeString(&b, L"hello");
    CHECK(RtlCompareUnicodeString(&a, &b, FALSE) < 0);
    CHECK_INT(RtlCompareUnicodeString(&a, &b, TRUE), 0);
    CHECK(!RtlEqualUnicodeString(&a, &b, FALSE));
    CHECK(RtlEqualUnicodeString(&a, &b, TRUE));
    RtlInitUnicodeString(&b, L"Hell");
    CHECK(RtlCompareUnicodeString(&a, &b, FALSE) > 0);
    CHECK(!RtlEqualUnicodeString(&a, &b, TRUE));
    /* Latin-1 and Cyrillic case folding */
    RtlInitUnicodeString(&a, u"\u00e9t\u00e9 \u0436");
    RtlInitUnicodeString(&b, u"\u00c9T\u00c9 \u0416");
    CHECK(RtlEqualUnicodeString(&a, &b, TRUE));
    CHECK(!RtlEqualUnicodeString(&a, &b, FALSE));
    /* odd byte lengths compare whole characters */
    RtlInitUnicodeString(&a, L"abc");
    RtlInitUnicodeString(&b, L"abd");
    a.Length = 5;
    b.Length = 5;
    CHECK(RtlEqualUnicodeString(&a, &b, FALSE));

    RtlInitString(&ca, "ABC");
    RtlInitString(&cb, "abc");
    CHECK(RtlEqualString(&ca, &cb, TRUE));
    CHECK(!RtlEqualString(&ca, &cb, FALSE));
    CHECK(RtlCompareString(&ca, &cb, FALSE) < 0);
    RtlInitString(&cb, "ab");
    CHECK(RtlCompareString(&ca, &cb, TRUE) > 0);
}

static void test_append(void)
{
    WCHAR buf[5];
    UNICODE_STRING dst = {0, sizeof(buf), buf}, src;

    t_poison(buf, sizeof(buf));
    CHECK_STATUS(RtlAppendUnicodeToString(&dst, L"ab"), STATUS_SUCCESS);
    CHECK_UINT(dst.Length, 4);
    CHECK(buf[2] == 0);
    RtlInitUnicodeString(&src, L"cd");
    CHECK_STATUS(RtlAppendUnicodeStringToString(&dst, &src), STATUS_SUCCESS);
    CHECK_UINT(dst.Length, 8);
    CHECK(buf[3] == 'd' && buf[4] == 0);
    /* exactly fills: no room for the NUL, still success */
    CHECK_STATUS(RtlAppendUnicodeToString(&dst, L"e"), STATUS_SUCCESS);
    CHECK_UINT(dst.Length, 10);
    CHECK(buf[4] == 'e');
    CHECK_STATUS(RtlAppendUnicodeToString(&dst, L"f"), STATUS_BUFFER_TOO_SMALL);
    CHECK_UINT(dst.Length, 10);
    CHECK_STATUS(RtlAppendUnicodeStringToString(&dst, &src), STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(RtlAppendUnicodeToString(&dst, NULL), STATUS_SUCCESS);
}

static void test_convert(void)
{
    ANSI_STRING as, out;
    UNICODE_STRING us;
    WCHAR wbuf[4];
    char cbuf[4];

    /* allocated, non-ASCII Latin-1 */
    RtlInitAnsiString(&as, "caf\xe9");
    t_poison(&us, sizeof(us));
    CHECK_STATUS(RtlAnsiStringToUnicodeString(&us, &as, TRUE), STATUS_SUCCESS);
    CHECK_UINT(us.Length, 8);
    CHECK_UINT(us.MaximumLength, 10);
    CHECK(us.Buffer[3] == 0xe9 && us.Buffer[4] == 0);
    CHECK_UINT(RtlAnsiStringToUnicodeSize(&as), 10);
    CHECK_UINT(RtlxAnsiStringToUnicodeSize(&as), 10);

    t_poison(&out, sizeof(out));
    CHECK_STATUS(RtlUnicodeStringToAnsiString(&out, &us, TRUE), STATUS_SUCCESS);
    CHECK_UINT(out.Length, 4);
    CHECK_UINT(out.MaximumLength, 5);
    CHECK(memcmp(out.Buffer, "caf\xe9", 5) == 0);
    RtlFreeAnsiString(&out);
    CHECK(out.Buffer == NULL && out.Length == 0);
    RtlFreeUnicodeString(&us);
    CHECK(us.Buffer == NULL && us.MaximumLength == 0);

    /* unmappable characters become '?', one per UTF-16 unit */
    RtlInitUnicodeString(&us, u"a\u20ac\U0001F600b");
    CHECK_UINT(RtlUnicodeStringToAnsiSize(&us), 6);
    CHECK_STATUS(RtlUnicodeStringToAnsiString(&out, &us, TRUE), STATUS_SUCCESS);
    CHECK_STR(out.Buffer, "a???b");
    RtlFreeAnsiString(&out);

    /* caller buffers: the result plus NUL must fit */
    RtlInitAnsiString(&as, "abc");
    us.Buffer = wbuf;
    us.MaximumLength = sizeof(wbuf) - 2; /* room for 3 characters, not the NUL */
    us.Length = 0;
    CHECK_STATUS(RtlAnsiStringToUnicodeString(&us, &as, FALSE), STATUS_BUFFER_OVERFLOW);
    us.MaximumLength = sizeof(wbuf);
    CHECK_STATUS(RtlAnsiStringToUnicodeString(&us, &as, FALSE), STATUS_SUCCESS);
    CHECK_UINT(us.Length, 6);
    CHECK(wbuf[3] == 0);

    /* Unicode -> ANSI too small: truncated, terminated, STATUS_BUFFER_OVERFLOW */
    RtlInitUnicodeString(&us, L"abcdef");
    out.Buffer = cbuf;
    out.MaximumLength = sizeof(cbuf);
    out.Length = 0;
    CHECK_STATUS(RtlUnicodeStringToAnsiString(&out, &us, FALSE), STATUS_BUFFER_OVERFLOW);
    CHECK_UINT(out.Length, 3);
    CHECK_STR(cbuf, "abc");
    out.MaximumLength = 0;
    CHECK_STATUS(RtlUnicodeStringToAnsiString(&out, &us, FALSE), STATUS_BUFFER_OVERFLOW);

    /* odd Length: the half character is dropped */
    RtlInitUnicodeString(&us, L"xyz");
    us.Length = 5;
    CHECK_STATUS(RtlUnicodeStringToAnsiString(&out, &us, TRUE), STATUS_SUCCESS);
    CHECK_UINT(out.Length, 2);
    CHECK_STR(out.Buffer, "xy");
    RtlFreeAnsiString(&out);
}

static void test_upcase(void)
{
    UNICODE_STRING src, dst;
    WCHAR buf[3];

    CHECK_UINT(RtlUpcaseUnicodeChar('a'), 'A');
    CHECK_UINT(RtlUpcaseUnicodeChar(0xe9), 0xc9);
    CHECK_UINT(RtlUpcaseUnicodeChar(0xf7), 0xf7);
    CHECK_UINT(RtlUpcaseUnicodeChar(0xff), 0x178);
    CHECK_UINT(RtlUpcaseUnicodeChar(0x3b1), 0x391);
    CHECK_UINT(RtlUpcaseUnicodeChar('1'), '1');
    RtlInitUnicodeString(&src, L"abc");
    CHECK_STATUS(RtlUpcaseUnicodeString(&dst, &src, TRUE), STATUS_SUCCESS);
    CHECK_UINT(dst.Length, 6);
    CHECK(dst.Buffer[0] == 'A' && dst.Buffer[2] == 'C');
    RtlFreeUnicodeString(&dst);
    RtlInitUnicodeString(&src, L"abcd");
    dst.Buffer = buf;
    dst.MaximumLength = sizeof(buf);
    CHECK_STATUS(RtlUpcaseUnicodeString(&dst, &src, FALSE), STATUS_BUFFER_OVERFLOW);
}

static void test_integers(void)
{
    UNICODE_STRING us;
    WCHAR buf[12];
    ULONG v;

    us.Buffer = buf;
    us.MaximumLength = sizeof(buf);
    CHECK_STATUS(RtlIntegerToUnicodeString(1234, 0, &us), STATUS_SUCCESS);
    CHECK_UINT(us.Length, 8);
    CHECK(buf[0] == '1' && buf[3] == '4' && buf[4] == 0);
    CHECK_STATUS(RtlIntegerToUnicodeString(255, 16, &us), STATUS_SUCCESS);
    CHECK(buf[0] == 'F' && buf[1] == 'F' && us.Length == 4);
    CHECK_STATUS(RtlIntegerToUnicodeString(5, 2, &us), STATUS_SUCCESS);
    CHECK(buf[0] == '1' && buf[1] == '0' && buf[2] == '1');
    CHECK_STATUS(RtlIntegerToUnicodeString(5, 7, &us), STATUS_INVALID_PARAMETER);
    us.MaximumLength = 8; /* "1234" needs 10 bytes with the NUL */
    CHECK_STATUS(RtlIntegerToUnicodeString(1234, 10, &us), STATUS_BUFFER_OVERFLOW);
    CHECK_STATUS(RtlIntegerToUnicodeString(123, 10, &us), STATUS_SUCCESS);

    RtlInitUnicodeString(&us, L"  -42xyz");
    CHECK_STATUS(RtlUnicodeStringToInteger(&us, 0, &v), STATUS_SUCCESS);
    CHECK_INT((LONG)v, -42);
    RtlInitUnicodeString(&us, L"0x1F");
    CHECK_STATUS(RtlUnicodeStringToInteger(&us, 0, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 0x1f);
    RtlInitUnicodeString(&us, L"0b101");
    CHECK_STATUS(RtlUnicodeStringToInteger(&us, 0, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 5);
    RtlInitUnicodeString(&us, L"0o17");
    CHECK_STATUS(RtlUnicodeStringToInteger(&us, 0, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 15);
    RtlInitUnicodeString(&us, L"ff");
    CHECK_STATUS(RtlUnicodeStringToInteger(&us, 16, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 255);
    CHECK_STATUS(RtlUnicodeStringToInteger(&us, 3, &v), STATUS_INVALID_PARAMETER);
    /* the counted length is honoured: "12" of "1234" */
    RtlInitUnicodeString(&us, L"1234");
    us.Length = 4;
    CHECK_STATUS(RtlUnicodeStringToInteger(&us, 10, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 12);
    CHECK_STATUS(RtlCharToInteger("  +77", 10, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 77);
    CHECK_STATUS(RtlCharToInteger("0x10", 0, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 16);
    CHECK_STATUS(RtlCharToInteger("", 0, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 0);
    CHECK_STATUS(RtlCharToInteger("1", 10, NULL), STATUS_ACCESS_VIOLATION);
}

static void test_memory(void)
{
    ULONG seed = 1, prev = 0xffffffff;
    int distinct = 0;

    CHECK_UINT(RtlCompareMemory("abcd", "abXd", 4), 2);
    CHECK_UINT(RtlCompareMemory("abcd", "abcd", 4), 4);
    CHECK_UINT(RtlCompareMemory("abcd", "xbcd", 0), 0);
    CHECK_UINT(RtlUshortByteSwap(0x1234), 0x3412);
    CHECK_UINT(RtlUlongByteSwap(0x12345678), 0x78563412);
    CHECK_UINT(RtlUlonglongByteSwap(0x0102030405060708ull), 0x0807060504030201ull);
    for (int i = 0; i < 1000; i++) {
        ULONG r = RtlRandomEx(&seed);
        CHECK(r < 0x7fffffff);
        distinct += r != prev;
        prev = r;
    }
    CHECK(distinct > 990);
}

int main(void)
{
    test_init();
    test_copy_compare();
    test_append();
    test_convert();
    test_upcase();
    test_integers();
    test_memory();
    return t_done();
}
