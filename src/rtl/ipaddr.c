/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ip2string.h: IPv4/IPv6 address <-> text, A and W, with Windows' forms (inet_addr-style
 * IPv4 when not strict, dotted tails for mapped/compatible/SIIT/ISATAP IPv6, [addr%scope]:port).
 * Left out: Windows' IPv6 parser quirks (partial writes to Addr on failure, "::0x88" forms);
 * on failure Addr is never written here. The W forms parse an ASCII copy (<= 127 chars). */
#include <stdio.h>
#include <string.h>

#include <ntstatus.h>
#include <ip2string.h>

#include "rtl/rtl.h"

#define PARSE_MAX 128

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool isdig(char c)
{
    return c >= '0' && c <= '9';
}

/* A W string as ASCII with the same offsets; non-ASCII stops any parse, and a string longer
 * than the copy ends in a non-NUL sentinel so it can never parse as complete. */
static void narrow_copy(PCWSTR s, char *out)
{
    size_t i;

    for (i = 0; i < PARSE_MAX - 2 && s[i]; i++)
        out[i] = s[i] < 0x80 ? (char)s[i] : '\x01';
    if (s[i])
        out[i++] = '\x01';
    out[i] = 0;
}

/* ---------------- IPv4 ---------------- */

/* Windows' parser (observed results recorded in Wine's ntdll tests): 1-4 parts, each decimal,
 * octal (leading 0) or hex (0x); strict = exactly four decimal parts. *ret_end is where
 * parsing stopped, also on failure. */
static bool parse4(const char *s, bool strict, const char **ret_end, uint32_t *ret_addr)
{
    const char *p = s;
    uint32_t parts[4];
    int n = 0;

    for (;;) {
        unsigned base = 10, digits = 0;
        uint64_t v = 0;

        if (!isdig(*p)) {
            /* a '.' where a part should start is reported one past it */
            *ret_end = *p == '.' ? p + 1 : p;
            return false;
        }
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
            base = 16;
            p += 2;
        } else if (p[0] == '0' && isdig(p[1])) {
            base = 8;
            p += 1;
        }
        if (base != 10 && strict) {
            *ret_end = p;
            return false;
        }
        for (;;) {
            int d = hexval(*p);
            if (d < 0 || (unsigned)d >= base)
                break;
            v = v * base + (unsigned)d;
            if (v > 0xFFFFFFFFu) {
                *ret_end = p;
                return false;
            }
            p++;
            digits++;
        }
        if (!digits && base != 10) {
            *ret_end = p;
            return false;
        }
        parts[n++] = (uint32_t)v;
        if (*p == '.') {
            if (n == 4) {
                *ret_end = p;
                return false;
            }
            p++;
            continue;
        }
        break;
    }
    *ret_end = p;
    if (strict && n != 4)
        return false;
    for (int i = 0; i < n - 1; i++)
        if (parts[i] > 255)
            return false;
    if (n > 1 && parts[n - 1] > (0xFFFFFFFFu >> (8 * (n - 1))))
        return false;
    {
        uint32_t host = parts[n - 1];
        for (int i = 0; i < n - 1; i++)
            host |= parts[i] << (24 - 8 * i);
        *ret_addr = __builtin_bswap32(host); /* network byte order in memory */
    }
    return true;
}

/* ":port" of an Ex string: decimal, 0x hex or 0 octal, 1..65535, then the end of the string. */
static bool parse_port(const char *p, USHORT *ret_port)
{
    unsigned base = 10, digits = 0;
    uint32_t v = 0;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && isdig(p[1])) {
        base = 8;
        p++;
    }
    for (;;) {
        int d = hexval(*p);
        if (d < 0 || (unsigned)d >= base)
            break;
        v = v * base + (unsigned)d;
        if (v > 0xFFFF)
            return false;
        p++;
        digits++;
    }
    if (!digits || *p || v == 0)
        return false;
    *ret_port = __builtin_bswap16((uint16_t)v);
    return true;
}

static size_t format4(const struct in_addr *a, USHORT port, char *out)
{
    const unsigned char *b = (const unsigned char *)a;

    if (port)
        return (size_t)sprintf(out, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3],
                               __builtin_bswap16(port));
    return (size_t)sprintf(out, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static void widen(const char *s, size_t n, PWSTR out)
{
    for (size_t i = 0; i <= n; i++)
        out[i] = (WCHAR)(unsigned char)s[i];
}

NTSYSAPI PSTR NTAPI RtlIpv4AddressToStringA(_In_ const struct in_addr *Addr,
                                            _Out_writes_(16) PSTR S)
{
    char tmp[32];
    size_t n = format4(Addr, 0, tmp);

    memcpy(S, tmp, n + 1);
    return S + n;
}

NTSYSAPI PWSTR NTAPI RtlIpv4AddressToStringW(_In_ const struct in_addr *Addr,
                                             _Out_writes_(16) PWSTR S)
{
    char tmp[32];
    size_t n = format4(Addr, 0, tmp);

    widen(tmp, n, S);
    return S + n;
}

/* Too small a buffer (or none) reports the length needed, NUL included, with
 * STATUS_INVALID_PARAMETER, as documented. */
static NTSTATUS to_string_ex(const char *tmp, size_t n, void *out, bool wide, PULONG len)
{
    if (*len < n + 1 || !out) {
        *len = (ULONG)(n + 1);
        return STATUS_INVALID_PARAMETER;
    }
    if (wide)
        widen(tmp, n, out);
    else
        memcpy(out, tmp, n + 1);
    *len = (ULONG)(n + 1);
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlIpv4AddressToStringExA(
    _In_ const struct in_addr *Address, _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PSTR AddressString,
    _Inout_ PULONG AddressStringLength)
{
    char tmp[32];

    if (!Address || !AddressStringLength)
        return STATUS_INVALID_PARAMETER;
    return to_string_ex(tmp, format4(Address, Port, tmp), AddressString, false,
                        AddressStringLength);
}

NTSYSAPI NTSTATUS NTAPI RtlIpv4AddressToStringExW(
    _In_ const struct in_addr *Address, _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PWSTR AddressString,
    _Inout_ PULONG AddressStringLength)
{
    char tmp[32];

    if (!Address || !AddressStringLength)
        return STATUS_INVALID_PARAMETER;
    return to_string_ex(tmp, format4(Address, Port, tmp), AddressString, true,
                        AddressStringLength);
}

NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressA(_In_ PCSTR S, _In_ BOOLEAN Strict,
                                                _Out_ PCSTR *Terminator,
                                                _Out_ struct in_addr *Addr)
{
    uint32_t a;
    const char *end;

    if (!S || !Terminator || !Addr)
        return STATUS_INVALID_PARAMETER;
    if (!parse4(S, Strict, &end, &a)) {
        *Terminator = end;
        return STATUS_INVALID_PARAMETER;
    }
    *Terminator = end;
    memcpy(Addr, &a, 4);
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressW(_In_ PCWSTR S, _In_ BOOLEAN Strict,
                                                _Out_ PCWSTR *Terminator,
                                                _Out_ struct in_addr *Addr)
{
    char buf[PARSE_MAX];
    PCSTR end;
    NTSTATUS status;

    if (!S || !Terminator || !Addr)
        return STATUS_INVALID_PARAMETER;
    narrow_copy(S, buf);
    status = RtlIpv4StringToAddressA(buf, Strict, &end, Addr);
    *Terminator = S + (end - buf);
    return status;
}

/* The address is stored as soon as it parsed, even if the port then fails (Windows does). */
static NTSTATUS v4_ex(const char *s, BOOLEAN Strict, struct in_addr *Address, PUSHORT Port)
{
    const char *end;
    uint32_t a;
    USHORT port = 0;

    if (!parse4(s, Strict, &end, &a))
        return STATUS_INVALID_PARAMETER;
    memcpy(Address, &a, 4);
    if (*end == ':') {
        if (!parse_port(end + 1, &port))
            return STATUS_INVALID_PARAMETER;
    } else if (*end) {
        return STATUS_INVALID_PARAMETER;
    }
    *Port = port;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressExA(_In_ PCSTR AddressString, _In_ BOOLEAN Strict,
                                                  _Out_ struct in_addr *Address,
                                                  _Out_ PUSHORT Port)
{
    if (!AddressString || !Address || !Port)
        return STATUS_INVALID_PARAMETER;
    return v4_ex(AddressString, Strict, Address, Port);
}

NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressExW(_In_ PCWSTR AddressString,
                                                  _In_ BOOLEAN Strict,
                                                  _Out_ struct in_addr *Address,
                                                  _Out_ PUSHORT Port)
{
    char buf[PARSE_MAX];

    if (!AddressString || !Address || !Port)
        return STATUS_INVALID_PARAMETER;
    narrow_copy(AddressString, buf);
    return v4_ex(buf, Strict, Address, Port);
}

/* ---------------- IPv6 ---------------- */

static uint16_t word_at(const struct in6_addr *a, int i)
{
    const unsigned char *b = (const unsigned char *)a;

    return (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
}

/* Windows prints a dotted IPv4 tail for ::a.b.c.d (compatible), ::ffff:a.b.c.d (mapped),
 * ::ffff:0:a.b.c.d (SIIT) and ISATAP (xxxx:...:0:5efe:a.b.c.d or 200:5efe), always with a
 * non-zero seventh word: "::1" and "::ffff:0:4403" stay hex. */
static bool dotted_tail(const struct in6_addr *a)
{
    uint16_t w[8];
    bool zero0_3;

    for (int i = 0; i < 8; i++)
        w[i] = word_at(a, i);
    if (w[6] == 0)
        return false;
    if ((w[4] == 0 || w[4] == 0x0200) && w[5] == 0x5efe)
        return true;
    zero0_3 = !w[0] && !w[1] && !w[2] && !w[3];
    if (zero0_3 && !w[4] && (w[5] == 0 || w[5] == 0xffff))
        return true;
    if (zero0_3 && w[4] == 0xffff && !w[5])
        return true;
    return false;
}

static size_t format6(const struct in6_addr *a, ULONG scope, USHORT port, char *out)
{
    const unsigned char *b = (const unsigned char *)a;
    bool dotted = dotted_tail(a);
    int nwords = dotted ? 6 : 8, best = -1, best_len = 1, i = 0;
    char *p = out;

    /* The longest run of two or more zero words (the first on a tie) becomes "::". */
    while (i < nwords) {
        int j = i;
        while (j < nwords && word_at(a, j) == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    if (port)
        *p++ = '[';
    for (i = 0; i < nwords; i++) {
        if (i == best) {
            *p++ = ':';
            *p++ = ':';
            i += best_len - 1;
            continue;
        }
        if (i && !(best >= 0 && i == best + best_len))
            *p++ = ':';
        p += sprintf(p, "%x", word_at(a, i));
    }
    if (dotted) {
        if (!(best >= 0 && best + best_len == 6))
            *p++ = ':';
        p += sprintf(p, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
    }
    if (scope)
        p += sprintf(p, "%%%u", scope);
    if (port)
        p += sprintf(p, "]:%u", __builtin_bswap16(port));
    *p = 0;
    return (size_t)(p - out);
}

NTSYSAPI PSTR NTAPI RtlIpv6AddressToStringA(_In_ const struct in6_addr *Addr,
                                            _Out_writes_(46) PSTR S)
{
    char tmp[96];
    size_t n;

    if (!S)
        return (PSTR)~(uintptr_t)0; /* what Windows returns for a NULL buffer */
    n = format6(Addr, 0, 0, tmp);
    memcpy(S, tmp, n + 1);
    return S + n;
}

NTSYSAPI PWSTR NTAPI RtlIpv6AddressToStringW(_In_ const struct in6_addr *Addr,
                                             _Out_writes_(46) PWSTR S)
{
    char tmp[96];
    size_t n;

    if (!S)
        return (PWSTR)~(uintptr_t)0;
    n = format6(Addr, 0, 0, tmp);
    widen(tmp, n, S);
    return S + n;
}

NTSYSAPI NTSTATUS NTAPI RtlIpv6AddressToStringExA(
    _In_ const struct in6_addr *Address, _In_ ULONG ScopeId, _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PSTR AddressString,
    _Inout_ PULONG AddressStringLength)
{
    char tmp[96];

    if (!Address || !AddressString || !AddressStringLength)
        return STATUS_INVALID_PARAMETER;
    return to_string_ex(tmp, format6(Address, ScopeId, Port, tmp), AddressString, false,
                        AddressStringLength);
}

NTSYSAPI NTSTATUS NTAPI RtlIpv6AddressToStringExW(
    _In_ const struct in6_addr *Address, _In_ ULONG ScopeId, _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PWSTR AddressString,
    _Inout_ PULONG AddressStringLength)
{
    char tmp[96];

    if (!Address || !AddressString || !AddressStringLength)
        return STATUS_INVALID_PARAMETER;
    return to_string_ex(tmp, format6(Address, ScopeId, Port, tmp), AddressString, true,
                        AddressStringLength);
}

/* Dotted-decimal tail of an IPv6 address: exactly four decimal parts of at most 255. */
static bool parse_tail4(const char *p, const char **ret_end, unsigned char out[4])
{
    for (int i = 0; i < 4; i++) {
        unsigned v = 0, digits = 0;
        while (isdig(*p) && digits < 4) {
            v = v * 10 + (unsigned)(*p - '0');
            p++;
            digits++;
        }
        if (!digits || v > 255) {
            *ret_end = p;
            return false;
        }
        out[i] = (unsigned char)v;
        if (i < 3) {
            if (*p != '.') {
                *ret_end = p;
                return false;
            }
            p++;
        }
    }
    *ret_end = p;
    return true;
}

/* RFC 4291 text: up to 8 groups of 1-4 hex digits, one "::", an optional dotted tail in place
 * of the last two groups. Parsing stops at the first character that cannot continue the
 * address (which is the Terminator, as on Windows: "1::2%5" stops at '%'). */
static bool parse6(const char *s, const char **ret_end, unsigned char out[16])
{
    uint16_t w[8];
    unsigned char tail[4];
    int n = 0, gap = -1;
    const char *p = s;

    if (p[0] == ':') {
        if (p[1] != ':') {
            *ret_end = p;
            return false;
        }
        gap = 0;
        p += 2;
        if (hexval(*p) < 0)
            goto done;
    }
    for (;;) {
        const char *start = p;
        unsigned v = 0, digits = 0;

        while (hexval(*p) >= 0) {
            if (++digits > 4) {
                *ret_end = p;
                return false;
            }
            v = v << 4 | (unsigned)hexval(*p);
            p++;
        }
        if (!digits) {
            *ret_end = p;
            return false;
        }
        if (*p == '.') {
            if (n > 6 || (gap >= 0 && n > 5) || !parse_tail4(start, ret_end, tail))
                return false;
            p = *ret_end;
            w[n++] = (uint16_t)(tail[0] << 8 | tail[1]);
            w[n++] = (uint16_t)(tail[2] << 8 | tail[3]);
            break;
        }
        w[n++] = (uint16_t)v;
        if (n == 8 || (gap >= 0 && n == 7))
            break;
        if (p[0] != ':')
            break;
        if (p[1] == ':') {
            if (gap >= 0)
                break; /* a second "::" ends the address before it */
            gap = n;
            p += 2;
            if (hexval(*p) < 0)
                break;
            continue;
        }
        if (hexval(p[1]) < 0) {
            *ret_end = p + 1;
            return false;
        }
        p++;
    }
done:
    *ret_end = p;
    if (gap < 0 && n < 8)
        return false;
    {
        int fill = 8 - n;
        uint16_t full[8];
        for (int i = 0, k = 0; i < 8; i++) {
            if (gap >= 0 && i >= gap && i < gap + fill)
                full[i] = 0;
            else
                full[i] = w[k++];
        }
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (unsigned char)(full[i] >> 8);
            out[2 * i + 1] = (unsigned char)full[i];
        }
    }
    return true;
}

NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressA(_In_ PCSTR S, _Out_ PCSTR *Terminator,
                                                _Out_ struct in6_addr *Addr)
{
    unsigned char a[16];
    const char *end;

    if (!S || !Terminator || !Addr)
        return STATUS_INVALID_PARAMETER;
    if (!parse6(S, &end, a)) {
        *Terminator = end;
        return STATUS_INVALID_PARAMETER;
    }
    *Terminator = end;
    memcpy(Addr, a, 16);
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressW(_In_ PCWSTR S, _Out_ PCWSTR *Terminator,
                                                _Out_ struct in6_addr *Addr)
{
    char buf[PARSE_MAX];
    PCSTR end;
    NTSTATUS status;

    if (!S || !Terminator || !Addr)
        return STATUS_INVALID_PARAMETER;
    narrow_copy(S, buf);
    status = RtlIpv6StringToAddressA(buf, &end, Addr);
    *Terminator = S + (end - buf);
    return status;
}

/* "addr", "addr%scope", "[addr]", "[addr%scope]:port"; the whole string must be used. */
static NTSTATUS v6_ex(const char *s, struct in6_addr *Address, PULONG ScopeId, PUSHORT Port)
{
    unsigned char a[16];
    const char *p = s;
    bool bracket = false;
    uint64_t scope = 0;
    USHORT port = 0;

    if (*p == '[') {
        bracket = true;
        p++;
    }
    if (!parse6(p, &p, a))
        return STATUS_INVALID_PARAMETER;
    if (*p == '%') {
        unsigned digits = 0;
        p++;
        while (isdig(*p)) {
            scope = scope * 10 + (unsigned)(*p - '0');
            if (scope > 0xFFFFFFFFu)
                return STATUS_INVALID_PARAMETER;
            p++;
            digits++;
        }
        if (!digits)
            return STATUS_INVALID_PARAMETER;
    }
    if (bracket) {
        if (*p++ != ']')
            return STATUS_INVALID_PARAMETER;
        if (*p == ':') {
            if (!parse_port(p + 1, &port))
                return STATUS_INVALID_PARAMETER;
        } else if (*p) {
            return STATUS_INVALID_PARAMETER;
        }
    } else if (*p) {
        return STATUS_INVALID_PARAMETER;
    }
    memcpy(Address, a, 16);
    *ScopeId = (ULONG)scope;
    *Port = port;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressExA(_In_ PCSTR AddressString,
                                                  _Out_ struct in6_addr *Address,
                                                  _Out_ PULONG ScopeId, _Out_ PUSHORT Port)
{
    if (!AddressString || !Address || !ScopeId || !Port)
        return STATUS_INVALID_PARAMETER;
    return v6_ex(AddressString, Address, ScopeId, Port);
}

NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressExW(_In_ PCWSTR AddressString,
                                                  _Out_ struct in6_addr *Address,
                                                  _Out_ PULONG ScopeId, _Out_ PUSHORT Port)
{
    char buf[PARSE_MAX];

    if (!AddressString || !Address || !ScopeId || !Port)
        return STATUS_INVALID_PARAMETER;
    narrow_copy(AddressString, buf);
    return v6_ex(buf, Address, ScopeId, Port);
}
