/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntdef.h: the basic Windows NT types with LLP64 widths on an LP64 host, the common macros
 * (NT_SUCCESS, CONTAINING_RECORD, C_ASSERT, ...), export markers and MSVC-ism shims.
 * Leaves out: _WIN32/_WIN64/_AMD64_ are not defined; SEH (__try/__except) is a compile-only
 * shim: the handler block never runs. */
#ifndef _OWSK_NTDEF_H_
#define _OWSK_NTDEF_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sal.h>

/* WDK sources carry MSVC pragmas (#pragma warning, alloc_text, prefast, comment) and
 * multi-character pool tags ('kSsK'). The pkg-config cflags silence both, but a later -Wall on
 * the command line re-enables them under Clang; so the rest of a translation unit that
 * includes these headers ignores them regardless of flag order (GCC's C++ front end ignores
 * these pragmas, so g++ users keep -Wno-unknown-pragmas -Wno-multichar last). */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wunknown-pragmas"
#pragma clang diagnostic ignored "-Wmultichar"
#elif defined(__GNUC__) && !defined(__cplusplus)
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wmultichar"
#endif

/* ------------------------------------------------------------------------------------------ */
/* Linkage and export markers                                                                 */
/* ------------------------------------------------------------------------------------------ */

#ifdef __cplusplus
#define EXTERN_C extern "C"
#define EXTERN_C_START extern "C" {
#define EXTERN_C_END }
#else
#define EXTERN_C extern
#define EXTERN_C_START
#define EXTERN_C_END
#endif

/* libopenwsk is built with -fvisibility=hidden: a function is exported exactly when its
 * public declaration carries one of these markers. */
#define OWSK_EXPORT __attribute__((visibility("default")))
#define NTKERNELAPI OWSK_EXPORT
#define NTSYSAPI OWSK_EXPORT
#define NTHALAPI OWSK_EXPORT
#define NTSYSCALLAPI OWSK_EXPORT

/* Calling conventions have no meaning on the SysV x86-64 ABI: drivers and openwsk are built
 * by the same compiler. */
#define NTAPI
#define NTAPI_INLINE
#define WINAPI
#define APIENTRY
#define CALLBACK
#define FASTCALL
#define STDMETHODCALLTYPE
#define STDAPICALLTYPE
#ifndef __stdcall
#define __stdcall
#endif
#ifndef __cdecl
#define __cdecl
#endif
#ifndef __fastcall
#define __fastcall
#endif
#ifndef __thiscall
#define __thiscall
#endif

#define VOID void
#define CONST const
#define IN
#define OUT
#define OPTIONAL
#define NOTHING
#define UNALIGNED
#define UNALIGNED64
#define RESTRICTED_POINTER
#define POINTER_32
#define POINTER_64
#define POINTER_SIGNED
#define POINTER_UNSIGNED
#define FAR
#define NEAR

/* C needs `static` (an external definition would be required otherwise); C++ must not get it
 * (FORCEINLINE on a member function would make it a static member). */
#ifdef __cplusplus
#define FORCEINLINE inline __attribute__((always_inline))
#else
#define FORCEINLINE static inline __attribute__((always_inline))
#endif
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_NOTHROW
#define DECLSPEC_SELECTANY __attribute__((weak))
#define DECLSPEC_IMPORT
#define DECLSPEC_EXPORT OWSK_EXPORT
#define DECLSPEC_NOVTABLE
#define DECLSPEC_RESTRICT
#define DECLSPEC_NOALIAS
#define DECLSPEC_GUARDNOCF
#define DECLSPEC_GUARD_SUPPRESS
#define DECLSPEC_DEPRECATED
#define DECLSPEC_DEPRECATED_DDK
#define DECLSPEC_DEPRECATED_DDK_WINXP
#define DECLSPEC_DEPRECATED_DDK_WIN2K
#define DECLSPEC_ADDRSAFE
#define DECLSPEC_SAFEBUFFERS
#define DECLSPEC_CHPE_GUEST
#define DECLSPEC_CHPE_PATCHABLE
#define DEPRECATE_DDK_FUNCTIONS 0
#define SYSTEM_CACHE_ALIGNMENT_SIZE 64
#define DECLSPEC_CACHEALIGN DECLSPEC_ALIGN(SYSTEM_CACHE_ALIGNMENT_SIZE)
#define MEMORY_ALLOCATION_ALIGNMENT 16
#define MAX_NATURAL_ALIGNMENT 8
#define ANYSIZE_ARRAY 1

#if !defined(_MSC_EXTENSIONS)
#ifndef __forceinline
#define __forceinline FORCEINLINE
#endif
#ifndef __int8
#define __int8 char
#endif
#ifndef __int16
#define __int16 short
#endif
#ifndef __int32
#define __int32 int
#endif
#ifndef __int64
#define __int64 long long
#endif
/* __declspec(x) for the spellings drivers use; other spellings fail to compile, visibly. */
#ifndef __declspec
#define __declspec(x) __owsk_declspec_##x
#define __owsk_declspec_align(n) __attribute__((aligned(n)))
#define __owsk_declspec_noinline __attribute__((noinline))
#define __owsk_declspec_noreturn __attribute__((noreturn))
#define __owsk_declspec_selectany __attribute__((weak))
#define __owsk_declspec_dllexport OWSK_EXPORT
#define __owsk_declspec_dllimport
#define __owsk_declspec_nothrow
#define __owsk_declspec_novtable
#define __owsk_declspec_noalias
#define __owsk_declspec_restrict
#define __owsk_declspec_safebuffers
#define __owsk_declspec_thread __thread
#endif
#endif /* !_MSC_EXTENSIONS */

/* ------------------------------------------------------------------------------------------ */
/* Version constants (sdkddkver.h)                                                            */
/* ------------------------------------------------------------------------------------------ */

#define _WIN32_WINNT_NT4 0x0400
#define _WIN32_WINNT_WIN2K 0x0500
#define _WIN32_WINNT_WINXP 0x0501
#define _WIN32_WINNT_WS03 0x0502
#define _WIN32_WINNT_VISTA 0x0600
#define _WIN32_WINNT_WS08 0x0600
#define _WIN32_WINNT_WIN7 0x0601
#define _WIN32_WINNT_WIN8 0x0602
#define _WIN32_WINNT_WINBLUE 0x0603
#define _WIN32_WINNT_WINTHRESHOLD 0x0A00
#define _WIN32_WINNT_WIN10 0x0A00

#define NTDDI_WIN2K 0x05000000
#define NTDDI_WINXP 0x05010000
#define NTDDI_WINXPSP2 0x05010200
#define NTDDI_WS03 0x05020000
#define NTDDI_WS03SP1 0x05020100
#define NTDDI_VISTA 0x06000000
#define NTDDI_VISTASP1 0x06000100
#define NTDDI_WS08 0x06000100
#define NTDDI_WIN7 0x06010000
#define NTDDI_WIN8 0x06020000
#define NTDDI_WINBLUE 0x06030000
#define NTDDI_WINTHRESHOLD 0x0A000000
#define NTDDI_WIN10 0x0A000000
#define NTDDI_WIN10_TH2 0x0A000001
#define NTDDI_WIN10_RS1 0x0A000002
#define NTDDI_WIN10_RS2 0x0A000003
#define NTDDI_WIN10_RS3 0x0A000004
#define NTDDI_WIN10_RS4 0x0A000005
#define NTDDI_WIN10_RS5 0x0A000006
#define NTDDI_WIN10_19H1 0x0A000007
#define NTDDI_WIN10_VB 0x0A000008
#define NTDDI_WIN10_MN 0x0A000009
#define NTDDI_WIN10_FE 0x0A00000A
#define NTDDI_WIN10_CO 0x0A00000B
#define NTDDI_WIN10_NI 0x0A00000C
#define NTDDI_WIN10_CU 0x0A00000D
#define NTDDI_WIN11_ZN 0x0A00000E
#define NTDDI_WIN11_GA 0x0A00000F
#define NTDDI_WIN11_GE 0x0A000010
#define WDK_NTDDI_VERSION NTDDI_WIN10_CU

#define OSVERSION_MASK 0xFFFF0000U
#define SPVERSION_MASK 0x0000FF00
#define SUBVERSION_MASK 0x000000FF
#define OSVER(Version) ((Version) & OSVERSION_MASK)
#define SPVER(Version) (((Version) & SPVERSION_MASK) >> 8)
#define SUBVER(Version) ((Version) & SUBVERSION_MASK)

/* Default: the newest Windows 10 level, like a current WDK with no explicit target. */
#ifndef NTDDI_VERSION
#ifdef _WIN32_WINNT
#define NTDDI_VERSION (((_WIN32_WINNT) << 16) | 0)
#else
#define NTDDI_VERSION WDK_NTDDI_VERSION
#endif
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT (NTDDI_VERSION >> 16)
#endif
#ifndef WINVER
#define WINVER _WIN32_WINNT
#endif

/* ------------------------------------------------------------------------------------------ */
/* Scalar types: LLP64 widths                                                                 */
/* ------------------------------------------------------------------------------------------ */

typedef void *PVOID;
typedef void *LPVOID;
typedef const void *PCVOID;
typedef const void *LPCVOID;
typedef void *PVOID64;

typedef char CHAR;
typedef unsigned char UCHAR;
typedef short SHORT;
typedef unsigned short USHORT;
typedef short CSHORT;
typedef int32_t LONG;
typedef uint32_t ULONG;
typedef int INT;
typedef unsigned int UINT;
typedef long long LONGLONG;
typedef unsigned long long ULONGLONG;
typedef long long LONG64;
typedef unsigned long long ULONG64;
typedef int32_t LONG32;
typedef uint32_t ULONG32;
typedef uint32_t DWORD32;
typedef unsigned long long DWORD64;
typedef signed char INT8;
typedef unsigned char UINT8;
typedef short INT16;
typedef unsigned short UINT16;
typedef int INT32;
typedef unsigned int UINT32;
typedef long long INT64;
typedef unsigned long long UINT64;
typedef char CCHAR;
typedef ULONG CLONG;
typedef UCHAR BOOLEAN;
typedef int BOOL;
typedef uint32_t DWORD;
typedef unsigned short WORD;
typedef unsigned char BYTE;
typedef float FLOAT;
typedef double DOUBLE;
typedef LONG HRESULT;
typedef ULONG LOGICAL;
typedef ULONG *PLOGICAL;

/* Pointer-sized integers: uintptr_t/size_t are 64-bit on every LP64 host. */
typedef intptr_t LONG_PTR;
typedef uintptr_t ULONG_PTR;
typedef intptr_t INT_PTR;
typedef uintptr_t UINT_PTR;
typedef uintptr_t DWORD_PTR;
typedef intptr_t SHANDLE_PTR;
typedef uintptr_t HANDLE_PTR;
typedef size_t SIZE_T;
typedef intptr_t SSIZE_T;
typedef ULONG_PTR KAFFINITY;

typedef LONG NTSTATUS;
typedef PVOID HANDLE;

/* WCHAR is 16 bits. With -fshort-wchar (the pkg-config cflags) it is wchar_t, so L"..."
 * initialises WCHAR arrays; without it, L"" strings cannot be WCHAR and uint16_t is used. */
#if defined(__cplusplus) || __SIZEOF_WCHAR_T__ == 2
typedef wchar_t WCHAR;
#else
typedef uint16_t WCHAR;
#endif

typedef CHAR *PCHAR, *LPCH, *PCH, *PSTR, *LPSTR, *NPSTR, *PSZ, *PZZSTR;
typedef const CHAR *PCCH, *LPCCH, *PCSTR, *LPCSTR, *PCSZ, *PCZZSTR;
typedef WCHAR *PWCHAR, *PWCH, *LPWCH, *PWSTR, *LPWSTR, *NWPSTR, *PZZWSTR, *PZPWSTR;
typedef const WCHAR *PCWCH, *LPCWCH, *PCWSTR, *LPCWSTR, *PCZZWSTR, *PCWCHAR;
typedef UCHAR *PUCHAR;
typedef const UCHAR *PCUCHAR;
typedef SHORT *PSHORT;
typedef USHORT *PUSHORT;
typedef const USHORT *PCUSHORT;
typedef LONG *PLONG, *LPLONG;
typedef ULONG *PULONG;
typedef const ULONG *PCULONG;
typedef INT *PINT, *LPINT;
typedef UINT *PUINT, *LPUINT;
typedef LONGLONG *PLONGLONG;
typedef ULONGLONG *PULONGLONG;
typedef LONG64 *PLONG64;
typedef ULONG64 *PULONG64;
typedef LONG32 *PLONG32;
typedef ULONG32 *PULONG32;
typedef DWORD32 *PDWORD32;
typedef DWORD64 *PDWORD64;
typedef INT8 *PINT8;
typedef UINT8 *PUINT8;
typedef INT16 *PINT16;
typedef UINT16 *PUINT16;
typedef INT32 *PINT32;
typedef UINT32 *PUINT32;
typedef INT64 *PINT64;
typedef UINT64 *PUINT64;
typedef CCHAR *PCCHAR;
typedef CLONG *PCLONG;
typedef BOOLEAN *PBOOLEAN;
typedef BOOL *PBOOL, *LPBOOL;
typedef DWORD *PDWORD, *LPDWORD;
typedef WORD *PWORD, *LPWORD;
typedef BYTE *PBYTE, *LPBYTE;
typedef FLOAT *PFLOAT;
typedef LONG_PTR *PLONG_PTR;
typedef ULONG_PTR *PULONG_PTR;
typedef INT_PTR *PINT_PTR;
typedef UINT_PTR *PUINT_PTR;
typedef DWORD_PTR *PDWORD_PTR;
typedef SIZE_T *PSIZE_T;
typedef SSIZE_T *PSSIZE_T;
typedef KAFFINITY *PKAFFINITY;
typedef NTSTATUS *PNTSTATUS;
typedef HANDLE *PHANDLE, *LPHANDLE;
typedef PVOID *PPVOID;

#define MINCHAR 0x80
#define MAXCHAR 0x7f
#define MINSHORT 0x8000
#define MAXSHORT 0x7fff
#define MINLONG ((LONG)0x80000000)
#define MAXLONG 0x7fffffff
#define MAXUCHAR 0xff
#define MAXUSHORT 0xffff
#define MAXULONG 0xffffffffU
#define MAXLONGLONG (0x7fffffffffffffffLL)
#define MINLONGLONG ((LONGLONG)(-MAXLONGLONG - 1))
#define MAXULONGLONG (0xffffffffffffffffULL)
#define MAXBYTE 0xff
#define MAXWORD 0xffff
#define MAXDWORD 0xffffffffU
#define MAXUINT8 ((UINT8)~((UINT8)0))
#define MAXINT8 ((INT8)(MAXUINT8 >> 1))
#define MININT8 ((INT8)~MAXINT8)
#define MAXUINT16 ((UINT16)~((UINT16)0))
#define MAXINT16 ((INT16)(MAXUINT16 >> 1))
#define MININT16 ((INT16)~MAXINT16)
#define MAXUINT32 ((UINT32)~((UINT32)0))
#define MAXINT32 ((INT32)(MAXUINT32 >> 1))
#define MININT32 ((INT32)~MAXINT32)
#define MAXUINT64 ((UINT64)~((UINT64)0))
#define MAXINT64 ((INT64)(MAXUINT64 >> 1))
#define MININT64 ((INT64)~MAXINT64)
#define MAXULONG32 ((ULONG32)~((ULONG32)0))
#define MAXLONG32 ((LONG32)(MAXULONG32 >> 1))
#define MINLONG32 ((LONG32)~MAXLONG32)
#define MAXULONG64 ((ULONG64)~((ULONG64)0))
#define MAXLONG64 ((LONG64)(MAXULONG64 >> 1))
#define MINLONG64 ((LONG64)~MAXLONG64)
#define MAXDWORD32 ((DWORD32)~((DWORD32)0))
#define MAXDWORD64 ((DWORD64)~((DWORD64)0))
#define MAXUINT ((UINT)~((UINT)0))
#define MAXINT ((INT)(MAXUINT >> 1))
#define MININT ((INT)~MAXINT)
#define MAXULONG_PTR (~((ULONG_PTR)0))
#define MAXLONG_PTR ((LONG_PTR)(MAXULONG_PTR >> 1))
#define MINLONG_PTR (~MAXLONG_PTR)
#define MAXUINT_PTR (~((UINT_PTR)0))
#define MAXINT_PTR ((INT_PTR)(MAXUINT_PTR >> 1))
#define MININT_PTR (~MAXINT_PTR)
#define MAXSIZE_T ((SIZE_T)~((SIZE_T)0))
#define MAXSSIZE_T ((SSIZE_T)(MAXSIZE_T >> 1))
#define MINSSIZE_T ((SSIZE_T)~MAXSSIZE_T)

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* ------------------------------------------------------------------------------------------ */
/* Nameless unions and structures                                                              */
/* ------------------------------------------------------------------------------------------ */

#ifdef NONAMELESSUNION
#define DUMMYUNIONNAME u
#define DUMMYUNIONNAME1 u1
#define DUMMYUNIONNAME2 u2
#define DUMMYUNIONNAME3 u3
#define DUMMYUNIONNAME4 u4
#define DUMMYUNIONNAME5 u5
#define DUMMYUNIONNAME6 u6
#define DUMMYUNIONNAME7 u7
#define DUMMYUNIONNAME8 u8
#define DUMMYUNIONNAME9 u9
#define DUMMYSTRUCTNAME s
#define DUMMYSTRUCTNAME1 s1
#define DUMMYSTRUCTNAME2 s2
#define DUMMYSTRUCTNAME3 s3
#define DUMMYSTRUCTNAME4 s4
#define DUMMYSTRUCTNAME5 s5
#else
#define DUMMYUNIONNAME
#define DUMMYUNIONNAME1
#define DUMMYUNIONNAME2
#define DUMMYUNIONNAME3
#define DUMMYUNIONNAME4
#define DUMMYUNIONNAME5
#define DUMMYUNIONNAME6
#define DUMMYUNIONNAME7
#define DUMMYUNIONNAME8
#define DUMMYUNIONNAME9
#define DUMMYSTRUCTNAME
#define DUMMYSTRUCTNAME1
#define DUMMYSTRUCTNAME2
#define DUMMYSTRUCTNAME3
#define DUMMYSTRUCTNAME4
#define DUMMYSTRUCTNAME5
#endif

/* ------------------------------------------------------------------------------------------ */
/* Status helpers                                                                             */
/* ------------------------------------------------------------------------------------------ */

#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)
#define NT_FACILITY(Status) ((((ULONG)(Status)) >> 16) & 0xfff)
#define NT_CUSTOMER(Status) ((((ULONG)(Status)) >> 29) & 1)

#define APPLICATION_ERROR_MASK 0x20000000
#define ERROR_SEVERITY_SUCCESS 0x00000000
#define ERROR_SEVERITY_INFORMATIONAL 0x40000000
#define ERROR_SEVERITY_WARNING 0x80000000
#define ERROR_SEVERITY_ERROR 0xC0000000

/* ------------------------------------------------------------------------------------------ */
/* Structures                                                                                 */
/* ------------------------------------------------------------------------------------------ */

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    } DUMMYSTRUCTNAME;
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct {
        ULONG LowPart;
        ULONG HighPart;
    } DUMMYSTRUCTNAME;
    struct {
        ULONG LowPart;
        ULONG HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef LONGLONG USN;

typedef struct _LUID {
    ULONG LowPart;
    LONG HighPart;
} LUID, *PLUID;

#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    ULONG Data1;
    USHORT Data2;
    USHORT Data3;
    UCHAR Data4[8];
} GUID;
#endif
typedef GUID *PGUID, *LPGUID;
typedef const GUID *LPCGUID, *PCGUID;
typedef GUID IID, CLSID;
typedef IID *LPIID;
#ifdef __cplusplus
#define REFGUID const GUID &
#define REFIID const IID &
#define REFCLSID const IID &
#else
#define REFGUID const GUID *
#define REFIID const IID *
#define REFCLSID const IID *
#endif

/* DEFINE_GUID declares the GUID; with INITGUID defined before inclusion it also defines it
 * (weak, so several translation units may do so). */
#if defined(INITGUID) && defined(__cplusplus)
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                           \
    extern "C" const GUID DECLSPEC_SELECTANY name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#elif defined(INITGUID)
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                           \
    const GUID DECLSPEC_SELECTANY name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) EXTERN_C const GUID name
#endif
#ifdef __cplusplus
#define InlineIsEqualGUID(a, b) (memcmp(&(a), &(b), sizeof(GUID)) == 0)
#define IsEqualGUID(a, b) (memcmp(&(a), &(b), sizeof(GUID)) == 0)
#else
#define InlineIsEqualGUID(a, b) (memcmp((a), (b), sizeof(GUID)) == 0)
#define IsEqualGUID(a, b) (memcmp((a), (b), sizeof(GUID)) == 0)
#endif

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY, *PRLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

typedef struct LIST_ENTRY32 {
    ULONG Flink;
    ULONG Blink;
} LIST_ENTRY32, *PLIST_ENTRY32;

typedef struct LIST_ENTRY64 {
    ULONGLONG Flink;
    ULONGLONG Blink;
} LIST_ENTRY64, *PLIST_ENTRY64;

/* Counted strings: Length and MaximumLength are in bytes. */
typedef struct _UNICODE_STRING {
    USHORT Length;
    USHORT MaximumLength;
    PWCH Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;
#define UNICODE_NULL ((WCHAR)0)
#define UNICODE_STRING_MAX_BYTES ((USHORT)65534)
#define UNICODE_STRING_MAX_CHARS (32767)

typedef struct _STRING {
    USHORT Length;
    USHORT MaximumLength;
    PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCANSI_STRING, *PCOEM_STRING;
#define ANSI_NULL ((CHAR)0)

typedef struct _CSTRING {
    USHORT Length;
    USHORT MaximumLength;
    CONST CHAR *Buffer;
} CSTRING, *PCSTRING;

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    PUNICODE_STRING ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
typedef CONST OBJECT_ATTRIBUTES *PCOBJECT_ATTRIBUTES;

#define OBJ_INHERIT 0x00000002L
#define OBJ_PERMANENT 0x00000010L
#define OBJ_EXCLUSIVE 0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF 0x00000080L
#define OBJ_OPENLINK 0x00000100L
#define OBJ_KERNEL_HANDLE 0x00000200L
#define OBJ_FORCE_ACCESS_CHECK 0x00000400L
#define OBJ_IGNORE_IMPERSONATED_DEVICEMAP 0x00000800L
#define OBJ_DONT_REPARSE 0x00001000L
#define OBJ_VALID_ATTRIBUTES 0x00001FF2L

#define InitializeObjectAttributes(p, n, a, r, s)                                              \
    do {                                                                                       \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES);                                               \
        (p)->RootDirectory = (r);                                                              \
        (p)->Attributes = (a);                                                                 \
        (p)->ObjectName = (n);                                                                 \
        (p)->SecurityDescriptor = (s);                                                         \
        (p)->SecurityQualityOfService = NULL;                                                  \
    } while (0)

#define RTL_CONSTANT_OBJECT_ATTRIBUTES(n, a)                                                   \
    { sizeof(OBJECT_ATTRIBUTES), NULL, (PUNICODE_STRING)(n), (a), NULL, NULL }
#define RTL_INIT_OBJECT_ATTRIBUTES(n, a) RTL_CONSTANT_OBJECT_ATTRIBUTES(n, a)

/* RTL_CONSTANT_STRING("x") / (L"x"): an initializer for a STRING or UNICODE_STRING. C++
 * string literals are const, so the Buffer is taken through a const-dropping helper. */
#ifdef __cplusplus
extern "C++" {
constexpr inline PCHAR owsk_rtl_nonconst(const CHAR *s) { return const_cast<PCHAR>(s); }
constexpr inline PWCH owsk_rtl_nonconst(const WCHAR *s) { return const_cast<PWCH>(s); }
}
#define RTL_CONSTANT_STRING(s)                                                                 \
    { sizeof(s) - sizeof((s)[0]), sizeof(s), owsk_rtl_nonconst(s) }
#else
#define RTL_CONSTANT_STRING(s) { sizeof(s) - sizeof((s)[0]), sizeof(s), (s) }
#endif

#define DECLARE_CONST_UNICODE_STRING(_var, _string)                                           \
    const WCHAR _var##_buffer[] = _string;                                                     \
    const UNICODE_STRING _var = {sizeof(_string) - sizeof(WCHAR), sizeof(_string),            \
                                 (PWCH)_var##_buffer}
#ifdef __cplusplus
#define DECLARE_GLOBAL_CONST_UNICODE_STRING(_var, _str)                                       \
    extern const DECLSPEC_SELECTANY UNICODE_STRING _var = RTL_CONSTANT_STRING(_str)
#else
#define DECLARE_GLOBAL_CONST_UNICODE_STRING(_var, _str)                                       \
    const DECLSPEC_SELECTANY UNICODE_STRING _var = RTL_CONSTANT_STRING(_str)
#endif
#define DECLARE_UNICODE_STRING_SIZE(_var, _size)                                              \
    WCHAR _var##_buffer[_size];                                                                \
    UNICODE_STRING _var = {0, (USHORT)((_size) * sizeof(WCHAR)), _var##_buffer}

/* ------------------------------------------------------------------------------------------ */
/* Common macros                                                                              */
/* ------------------------------------------------------------------------------------------ */

#ifdef __cplusplus
#define C_ASSERT(e) static_assert(e, #e)
#else
#define C_ASSERT(e) _Static_assert(e, #e)
#endif

#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define UFIELD_OFFSET(type, field) ((ULONG)offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_FIELD_TYPE(type, field) __typeof__(((type *)0)->field)
#define RTL_SIZEOF_THROUGH_FIELD(type, field)                                                  \
    (FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_CONTAINS_FIELD(Struct, Size, Field)                                                \
    ((((PCHAR)(&(Struct)->Field)) + sizeof((Struct)->Field)) <= (((PCHAR)(Struct)) + (Size)))
#define RTL_NUMBER_OF_V1(A) (sizeof(A) / sizeof((A)[0]))
#define RTL_NUMBER_OF_V2(A) RTL_NUMBER_OF_V1(A)
#define RTL_NUMBER_OF(A) RTL_NUMBER_OF_V1(A)
#define ARRAYSIZE(A) RTL_NUMBER_OF_V1(A)
#define _ARRAYSIZE(A) RTL_NUMBER_OF_V1(A)
#define RTL_NUMBER_OF_FIELD(type, field) (RTL_NUMBER_OF(RTL_FIELD_TYPE(type, field)))
#define RTL_PADDING_BETWEEN_FIELDS(T, F1, F2)                                                  \
    ((FIELD_OFFSET(T, F2) > FIELD_OFFSET(T, F1))                                               \
         ? (FIELD_OFFSET(T, F2) - FIELD_OFFSET(T, F1) - RTL_FIELD_SIZE(T, F1))                 \
         : (FIELD_OFFSET(T, F1) - FIELD_OFFSET(T, F2) - RTL_FIELD_SIZE(T, F2)))
#define TYPE_ALIGNMENT(t) __alignof__(t)

/* The address of the structure of type `type` whose member `field` is at `address`. */
#define CONTAINING_RECORD(address, type, field)                                                \
    ((type *)((PCHAR)(address) - offsetof(type, field)))

#define ARGUMENT_PRESENT(ArgumentPointer) ((CHAR *)((ULONG_PTR)(ArgumentPointer)) != (CHAR *)NULL)

#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))

#define Int32x32To64(a, b) (((LONGLONG)((LONG)(a))) * ((LONGLONG)((LONG)(b))))
#define UInt32x32To64(a, b) (((ULONGLONG)((ULONG)(a))) * ((ULONGLONG)((ULONG)(b))))
#define Int64ShllMod32(a, b) (((ULONGLONG)(a)) << ((b) & 31))
#define Int64ShraMod32(a, b) (((LONGLONG)(a)) >> ((b) & 31))
#define Int64ShrlMod32(a, b) (((ULONGLONG)(a)) >> ((b) & 31))

#define MAKELONG(a, b) ((LONG)(((WORD)(((DWORD_PTR)(a)) & 0xffff)) |                           \
                               ((DWORD)((WORD)(((DWORD_PTR)(b)) & 0xffff))) << 16))
#define MAKEWORD(a, b) ((WORD)(((BYTE)(((DWORD_PTR)(a)) & 0xff)) |                             \
                               ((WORD)((BYTE)(((DWORD_PTR)(b)) & 0xff))) << 8))
#define LOWORD(l) ((WORD)(((DWORD_PTR)(l)) & 0xffff))
#define HIWORD(l) ((WORD)((((DWORD_PTR)(l)) >> 16) & 0xffff))
#define LOBYTE(w) ((BYTE)(((DWORD_PTR)(w)) & 0xff))
#define HIBYTE(w) ((BYTE)((((DWORD_PTR)(w)) >> 8) & 0xff))

/* As the WDK: min/max macros unless NOMINMAX (C++ code using <algorithm> defines NOMINMAX). */
#ifndef NOMINMAX
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif

/* ------------------------------------------------------------------------------------------ */
/* MSVC structured exception handling and intrinsics                                          */
/* ------------------------------------------------------------------------------------------ */

#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)

/* SEH cannot be expressed in GCC/Clang. The shims run the __try body and never the __except
 * handler: a fault inside the body (for example MmProbeAndLockPages on a bad buffer) is a
 * crash reported by the host, not a status. GetExceptionCode() is only reachable in the dead
 * handler; it yields STATUS_UNSUCCESSFUL.
 * C: the switch makes __leave (a break) leave the __try body; the filter expression is
 * type-checked but never evaluated.
 * C++: libstdc++ defines __try itself, so C++ uses exactly its spellings (try/catch with
 * exceptions, if/else without) and the two never conflict; __leave is not available. */
#if !defined(_MSC_VER)
#ifdef __cplusplus
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define __try try
#define __except(filter) catch (...)
#define __finally                                                                              \
    catch (...)                                                                                \
    {                                                                                          \
        throw;                                                                                 \
    }                                                                                          \
    if (true)
#else
#define __try if (true)
#define __except(filter) else if (false)
#define __finally if (true)
#endif
#else
#define __try                                                                                  \
    if (1)                                                                                     \
        switch (0)                                                                             \
        case 0:
#define __except(filter) else if ((void)sizeof(filter), 0)
#define __finally if (1)
#define __leave break
#endif
#define GetExceptionCode() ((NTSTATUS)0xC0000001L)
#define _exception_code() GetExceptionCode()
#define GetExceptionInformation() ((PVOID)0)
#define _exception_info() GetExceptionInformation()
#define AbnormalTermination() 0
#define _abnormal_termination() 0
#endif

#if defined(__x86_64__) || defined(__i386__)
#define __debugbreak() __asm__ __volatile__("int3")
#elif defined(__aarch64__)
#define __debugbreak() __asm__ __volatile__("brk #0xf000")
#else
#define __debugbreak() __builtin_trap()
#endif
#define __nop() __asm__ __volatile__("nop")
#define __noop(...) ((void)0)
#define __assume(e) ((void)0)
#define __fastfail(code) __builtin_trap()

#endif /* _OWSK_NTDEF_H_ */
