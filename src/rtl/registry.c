/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An in-memory registry: keys by case-insensitive path, typed values, key handles, the host's
 * owsk_registry_set_* API, ZwOpenKey/ZwCreateKey/ZwQueryValueKey/ZwSetValueKey and
 * RtlQueryRegistryValues. Left out: security, volatile vs. persistent keys (nothing persists),
 * key deletion, REG_EXPAND_SZ expansion (delivered unexpanded). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <wdm.h>
#include <openwsk/host.h>

#include "core/core.h"
#include "rtl/rtl.h"

struct reg_value {
    struct reg_value *next;
    WCHAR *name; /* NUL-terminated; "" is the key's default value */
    size_t name_chars;
    ULONG type;
    ULONG size;
    unsigned char *data;
};

struct reg_key {
    struct reg_key *next_sibling;
    struct reg_key *children;
    struct reg_key *parent;
    struct reg_value *values;
    WCHAR *name;
    size_t name_chars;
};

#define KEY_HANDLE_MAGIC 0x79654b52u /* "RKey" */

/* What a key HANDLE points to. The handle list is the authority (owsk_rtl_registry_is_key
 * never dereferences a pointer it did not find there). */
struct reg_handle {
    uint32_t magic;
    struct reg_handle *next;
    struct reg_key *key;
};

/* Guards the whole tree and the handle list. Never held while calling driver code. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reg_key root; /* "\" of the registry namespace; its child is "Registry" */
static struct reg_handle *handles;

static const WCHAR services_path[] = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services";

/* ---- names and paths ---- */

static bool name_eq(const WCHAR *a, size_t an, const WCHAR *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (owsk_rtl_upcase(a[i]) != owsk_rtl_upcase(b[i]))
            return false;
    return true;
}

static WCHAR *wdup(const WCHAR *s, size_t n)
{
    WCHAR *d = malloc((n + 1) * sizeof(WCHAR));

    if (d) {
        memcpy(d, s, n * sizeof(WCHAR));
        d[n] = 0;
    }
    return d;
}

static size_t wlen(const WCHAR *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

static struct reg_key *child(struct reg_key *k, const WCHAR *name, size_t n, bool create)
{
    struct reg_key *c;

    for (c = k->children; c; c = c->next_sibling)
        if (name_eq(c->name, c->name_chars, name, n))
            return c;
    if (!create)
        return NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->name = wdup(name, n);
    if (!c->name) {
        free(c);
        return NULL;
    }
    c->name_chars = n;
    c->parent = k;
    c->next_sibling = k->children;
    k->children = c;
    return c;
}

/* Walks a path of '\'-separated components from `from`. A leading '\' is skipped when
 * from is the root; a trailing one is tolerated; an empty component is invalid.
 * Locks: reg_lock held. */
static NTSTATUS walk(struct reg_key *from, const WCHAR *path, size_t n, bool create,
                     struct reg_key **ret)
{
    struct reg_key *k = from;
    size_t i = 0;

    if (from == &root) {
        if (n == 0 || path[0] != '\\')
            return STATUS_OBJECT_PATH_SYNTAX_BAD;
        i = 1;
    } else if (n && path[0] == '\\') {
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    }
    while (i < n) {
        size_t j = i;
        while (j < n && path[j] != '\\')
            j++;
        if (j == i)
            return STATUS_OBJECT_NAME_INVALID;
        k = child(k, path + i, j - i, create);
        if (!k)
            return create ? STATUS_INSUFFICIENT_RESOURCES : STATUS_OBJECT_NAME_NOT_FOUND;
        i = j + 1;
    }
    /* Everything lives under \Registry. */
    if (k != &root && from == &root) {
        struct reg_key *top = k;
        while (top->parent != &root)
            top = top->parent;
        if (!name_eq(top->name, top->name_chars, u"Registry", 8))
            return STATUS_OBJECT_NAME_NOT_FOUND;
    } else if (k == &root) {
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    *ret = k;
    return STATUS_SUCCESS;
}

static struct reg_value *find_value(struct reg_key *k, const WCHAR *name, size_t n)
{
    for (struct reg_value *v = k->values; v; v = v->next)
        if (name_eq(v->name, v->name_chars, name, n))
            return v;
    return NULL;
}

/* Locks: reg_lock held. */
static NTSTATUS set_value_locked(struct reg_key *k, const WCHAR *name, size_t n, ULONG type,
                                 const void *data, ULONG size)
{
    struct reg_value *v = find_value(k, name, n);
    unsigned char *copy = malloc(size ? size : 1);

    if (!copy)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (size)
        memcpy(copy, data, size);
    if (!v) {
        v = calloc(1, sizeof(*v));
        if (!v || !(v->name = wdup(name, n))) {
            free(v);
            free(copy);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        v->name_chars = n;
        v->next = k->values;
        k->values = v;
    }
    free(v->data);
    v->data = copy;
    v->size = size;
    v->type = type;
    return STATUS_SUCCESS;
}

/* ---- handles ---- */

/* Locks: reg_lock held. */
static NTSTATUS new_handle(struct reg_key *k, HANDLE *ret)
{
    struct reg_handle *h = calloc(1, sizeof(*h));

    if (!h)
        return STATUS_INSUFFICIENT_RESOURCES;
    h->magic = KEY_HANDLE_MAGIC;
    h->key = k;
    h->next = handles;
    handles = h;
    *ret = (HANDLE)h;
    return STATUS_SUCCESS;
}

/* Opens a handle on the key at the absolute path[0..n), creating missing keys if create.
 * Locks: takes reg_lock. */
static NTSTATUS open_absolute(const WCHAR *path, size_t n, bool create, HANDLE *ret)
{
    struct reg_key *k;
    NTSTATUS status;

    pthread_mutex_lock(&reg_lock);
    status = walk(&root, path, n, create, &k);
    if (NT_SUCCESS(status))
        status = new_handle(k, ret);
    pthread_mutex_unlock(&reg_lock);
    return status;
}

/* Locks: reg_lock held. */
static struct reg_key *key_of(HANDLE h)
{
    for (struct reg_handle *p = handles; p; p = p->next)
        if ((HANDLE)p == h)
            return p->key;
    return NULL;
}

bool owsk_rtl_registry_is_key(HANDLE h)
{
    bool found;

    pthread_mutex_lock(&reg_lock);
    found = key_of(h) != NULL;
    pthread_mutex_unlock(&reg_lock);
    return found;
}

bool owsk_rtl_registry_close(HANDLE h)
{
    struct reg_handle **pp, *found = NULL;

    pthread_mutex_lock(&reg_lock);
    for (pp = &handles; *pp; pp = &(*pp)->next) {
        if ((HANDLE)*pp == h) {
            found = *pp;
            *pp = found->next;
            break;
        }
    }
    pthread_mutex_unlock(&reg_lock);
    if (!found)
        return false;
    found->magic = 0;
    free(found);
    return true;
}

static void free_key(struct reg_key *k)
{
    while (k->children) {
        struct reg_key *c = k->children;
        k->children = c->next_sibling;
        free_key(c);
        free(c->name);
        free(c);
    }
    while (k->values) {
        struct reg_value *v = k->values;
        k->values = v->next;
        free(v->name);
        free(v->data);
        free(v);
    }
}

void owsk_rtl_registry_reset(void)
{
    pthread_mutex_lock(&reg_lock);
    free_key(&root);
    while (handles) {
        struct reg_handle *h = handles;
        handles = h->next;
        free(h);
    }
    pthread_mutex_unlock(&reg_lock);
}

/* ---- internal and host API ---- */

NTSTATUS owsk_rtl_registry_set_value(const WCHAR *key_path, size_t key_path_chars,
                                     const WCHAR *name, size_t name_chars, ULONG type,
                                     const void *data, ULONG data_size)
{
    struct reg_key *k;
    NTSTATUS status;

    pthread_mutex_lock(&reg_lock);
    status = walk(&root, key_path, key_path_chars, true, &k);
    if (NT_SUCCESS(status))
        status = set_value_locked(k, name, name_chars, type, data, data_size);
    pthread_mutex_unlock(&reg_lock);
    return status;
}

/* "\Registry\...\Services\<service>\Parameters" as UTF-16 in a malloc'd buffer. */
static WCHAR *params_path(const char *service, size_t *ret_chars)
{
    size_t base = sizeof(services_path) / sizeof(WCHAR) - 1, slen = strlen(service);
    size_t cap = base + 1 + slen * 2 + 16, n;
    WCHAR *p = malloc(cap * sizeof(WCHAR));

    if (!p)
        return NULL;
    memcpy(p, services_path, base * sizeof(WCHAR));
    p[base] = '\\';
    n = base + 1 + owsk_rtl_utf8_to_utf16(service, slen, p + base + 1, cap - base - 1);
    memcpy(p + n, u"\\Parameters", 11 * sizeof(WCHAR));
    n += 11;
    p[n] = 0;
    *ret_chars = n;
    return p;
}

static bool valid_service(const char *service)
{
    return service && *service && !strchr(service, '\\') && strlen(service) < 256;
}

NTSTATUS owsk_rtl_registry_open_service_parameters(const char *service, HANDLE *ret)
{
    size_t n;
    WCHAR *path;
    NTSTATUS status;

    if (!valid_service(service) || !ret)
        return STATUS_INVALID_PARAMETER;
    path = params_path(service, &n);
    if (!path)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = open_absolute(path, n, true, ret);
    free(path);
    return status;
}

static NTSTATUS set_param(const char *service, const char *name, size_t name_len, ULONG type,
                          const void *data, ULONG size)
{
    size_t n, wn;
    WCHAR *path, *wname;
    NTSTATUS status;

    if (!valid_service(service) || !name || name_len == 0 || name_len > 16383)
        return STATUS_INVALID_PARAMETER;
    path = params_path(service, &n);
    wname = malloc((name_len + 1) * sizeof(WCHAR));
    if (!path || !wname) {
        free(path);
        free(wname);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    wn = owsk_rtl_utf8_to_utf16(name, name_len, wname, name_len + 1);
    status = owsk_rtl_registry_set_value(path, n, wname, wn, type, data, size);
    free(path);
    free(wname);
    return status;
}

OWSK_HOST_API owsk_ntstatus_t owsk_registry_set_dword(const char *service, const char *name,
                                                      uint32_t value)
{
    ULONG v = value;

    return set_param(service, name, name ? strlen(name) : 0, REG_DWORD, &v, sizeof(v));
}

static owsk_ntstatus_t set_string(const char *service, const char *name, size_t name_len,
                                  const char *utf8_value)
{
    size_t len = strlen(utf8_value), n;
    WCHAR *w = malloc((len + 1) * sizeof(WCHAR));
    NTSTATUS status;

    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    n = owsk_rtl_utf8_to_utf16(utf8_value, len, w, len + 1);
    /* REG_SZ data includes the terminating NUL, as RegSetValueEx stores it. */
    status = set_param(service, name, name_len, REG_SZ, w, (ULONG)((n + 1) * sizeof(WCHAR)));
    free(w);
    return status;
}

OWSK_HOST_API owsk_ntstatus_t owsk_registry_set_string(const char *service, const char *name,
                                                       const char *utf8_value)
{
    if (!utf8_value || !name)
        return STATUS_INVALID_PARAMETER;
    return set_string(service, name, strlen(name), utf8_value);
}

/* DWORD if VALUE is all decimal digits or 0x + hex digits and fits 32 bits; a longer number
 * is refused rather than silently becoming a string. */
static int parse_dword(const char *s, uint32_t *ret)
{
    uint64_t v = 0;
    unsigned base = 10;
    const char *p = s;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (!*p)
        return base == 16 ? -1 : 0;
    for (; *p; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            return base == 16 ? -1 : 0; /* "0xZZ" is a typo, "12ab" a string */
        v = v * base + d;
        if (v > 0xFFFFFFFFu)
            return -1;
    }
    *ret = (uint32_t)v;
    return 1;
}

OWSK_HOST_API owsk_ntstatus_t owsk_registry_set_param(const char *service, const char *assignment)
{
    const char *eq;
    uint32_t v;
    int r;

    if (!assignment || !(eq = strchr(assignment, '=')) || eq == assignment)
        return STATUS_INVALID_PARAMETER;
    r = parse_dword(eq + 1, &v);
    if (r < 0)
        return STATUS_INVALID_PARAMETER;
    if (r > 0) {
        ULONG d = v;
        return set_param(service, assignment, (size_t)(eq - assignment), REG_DWORD, &d,
                         sizeof(d));
    }
    return set_string(service, assignment, (size_t)(eq - assignment), eq + 1);
}

/* ---- Zw* ---- */

/* Resolves OBJECT_ATTRIBUTES to a key. Locks: reg_lock held. */
static NTSTATUS resolve(POBJECT_ATTRIBUTES oa, bool create, struct reg_key **ret)
{
    struct reg_key *from = &root;
    const UNICODE_STRING *name;

    if (!oa || oa->Length != sizeof(OBJECT_ATTRIBUTES))
        return STATUS_INVALID_PARAMETER;
    name = oa->ObjectName;
    if (oa->RootDirectory) {
        from = key_of(oa->RootDirectory);
        if (!from)
            return STATUS_INVALID_HANDLE;
    }
    if (!name || !name->Buffer) {
        if (from == &root)
            return STATUS_OBJECT_NAME_INVALID;
        *ret = from;
        return STATUS_SUCCESS;
    }
    if ((name->Length & 1) || name->Length > name->MaximumLength)
        return STATUS_OBJECT_NAME_INVALID;
    return walk(from, name->Buffer, name->Length / sizeof(WCHAR), create, ret);
}

/* ZwOpenKey: DesiredAccess is not enforced (there is no security here). */
NTSYSAPI NTSTATUS NTAPI ZwOpenKey(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                  _In_ POBJECT_ATTRIBUTES ObjectAttributes)
{
    struct reg_key *k;
    NTSTATUS status;

    if (!KeyHandle)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&reg_lock);
    status = resolve(ObjectAttributes, false, &k);
    if (NT_SUCCESS(status))
        status = new_handle(k, KeyHandle);
    pthread_mutex_unlock(&reg_lock);
    return status;
}

/* ZwCreateKey: TitleIndex, Class and CreateOptions (volatile/non-volatile) are ignored. */
NTSYSAPI NTSTATUS NTAPI ZwCreateKey(_Out_ PHANDLE KeyHandle,
                                                   _In_ ACCESS_MASK DesiredAccess,
                                                   _In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                    _Reserved_ ULONG TitleIndex, _In_opt_ PUNICODE_STRING Class,
                                    _In_ ULONG CreateOptions, _Out_opt_ PULONG Disposition)
{
    struct reg_key *k;
    NTSTATUS status;
    bool existed;

    if (!KeyHandle)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&reg_lock);
    existed = NT_SUCCESS(resolve(ObjectAttributes, false, &k));
    status = existed ? STATUS_SUCCESS : resolve(ObjectAttributes, true, &k);
    if (NT_SUCCESS(status))
        status = new_handle(k, KeyHandle);
    pthread_mutex_unlock(&reg_lock);
    if (NT_SUCCESS(status) && Disposition)
        *Disposition = existed ? REG_OPENED_EXISTING_KEY : REG_CREATED_NEW_KEY;
    return status;
}

static bool valid_name(PCUNICODE_STRING s)
{
    return s && !(s->Length & 1) && s->Length <= s->MaximumLength && (s->Buffer || !s->Length);
}

NTSYSAPI NTSTATUS NTAPI ZwSetValueKey(_In_ HANDLE KeyHandle,
                                                     _In_ PUNICODE_STRING ValueName,
                                      _In_opt_ ULONG TitleIndex, _In_ ULONG Type,
                                      _In_reads_bytes_opt_(DataSize) PVOID Data,
                                      _In_ ULONG DataSize)
{
    struct reg_key *k;
    NTSTATUS status;

    if (!valid_name(ValueName) || (DataSize && !Data))
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&reg_lock);
    k = key_of(KeyHandle);
    status = k ? set_value_locked(k, ValueName->Buffer ? ValueName->Buffer : u"",
                                  ValueName->Length / sizeof(WCHAR), Type, Data, DataSize)
               : STATUS_INVALID_HANDLE;
    pthread_mutex_unlock(&reg_lock);
    return status;
}

/* Writes n bytes of src at off in an output of len bytes, as much as fits. */
static void put_part(void *out, ULONG len, size_t off, const void *src, size_t n)
{
    if (off >= len)
        return;
    if (n > len - off)
        n = len - off;
    memcpy((char *)out + off, src, n);
}

/* Results: the buffer cannot hold the fixed part -> STATUS_BUFFER_TOO_SMALL, nothing written;
 * it holds the fixed part but not all of the name/data -> the fixed part and what fits,
 * STATUS_BUFFER_OVERFLOW. *ResultLength is the full size in both cases. */
NTSYSAPI NTSTATUS NTAPI ZwQueryValueKey(
    _In_ HANDLE KeyHandle, _In_ PUNICODE_STRING ValueName,
    _In_ KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
    _Out_writes_bytes_to_opt_(Length, *ResultLength) PVOID KeyValueInformation,
    _In_ ULONG Length, _Out_ PULONG ResultLength)
{
    struct reg_key *k;
    struct reg_value *v;
    size_t fixed, total, name_bytes, data_off = 0;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG hdr[5];

    if (!valid_name(ValueName) || !ResultLength || (Length && !KeyValueInformation))
        return STATUS_INVALID_PARAMETER;
    if (KeyValueInformationClass != KeyValueBasicInformation &&
        KeyValueInformationClass != KeyValueFullInformation &&
        KeyValueInformationClass != KeyValuePartialInformation)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&reg_lock);
    k = key_of(KeyHandle);
    if (!k) {
        pthread_mutex_unlock(&reg_lock);
        return STATUS_INVALID_HANDLE;
    }
    v = find_value(k, ValueName->Buffer ? ValueName->Buffer : u"",
                   ValueName->Length / sizeof(WCHAR));
    if (!v) {
        pthread_mutex_unlock(&reg_lock);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    name_bytes = v->name_chars * sizeof(WCHAR);
    switch (KeyValueInformationClass) {
    case KeyValueBasicInformation:
        fixed = FIELD_OFFSET(KEY_VALUE_BASIC_INFORMATION, Name);
        total = fixed + name_bytes;
        hdr[0] = 0;
        hdr[1] = v->type;
        hdr[2] = (ULONG)name_bytes;
        break;
    case KeyValueFullInformation:
        fixed = FIELD_OFFSET(KEY_VALUE_FULL_INFORMATION, Name);
        /* the data starts at the next ULONG boundary after the name */
        data_off = (fixed + name_bytes + 3) & ~(size_t)3;
        total = data_off + v->size;
        hdr[0] = 0;
        hdr[1] = v->type;
        hdr[2] = (ULONG)data_off;
        hdr[3] = v->size;
        hdr[4] = (ULONG)name_bytes;
        break;
    default:
        fixed = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data);
        total = fixed + v->size;
        hdr[0] = 0;
        hdr[1] = v->type;
        hdr[2] = v->size;
        break;
    }
    *ResultLength = (ULONG)total;
    if (Length < fixed) {
        status = STATUS_BUFFER_TOO_SMALL;
    } else {
        memcpy(KeyValueInformation, hdr, fixed);
        if (KeyValueInformationClass == KeyValuePartialInformation) {
            put_part(KeyValueInformation, Length, fixed, v->data, v->size);
        } else {
            put_part(KeyValueInformation, Length, fixed, v->name, name_bytes);
            if (KeyValueInformationClass == KeyValueFullInformation)
                put_part(KeyValueInformation, Length, data_off, v->data, v->size);
        }
        if (Length < total)
            status = STATUS_BUFFER_OVERFLOW;
    }
    pthread_mutex_unlock(&reg_lock);
    return status;
}

/* ---- RtlQueryRegistryValues ---- */

/* A value copied out of the tree so driver callbacks run without reg_lock. */
struct snap {
    WCHAR *name;
    ULONG type;
    ULONG size;
    unsigned char *data;
};

static void snap_free(struct snap *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(s[i].name);
        free(s[i].data);
    }
    free(s);
}

static bool snap_one(struct snap *s, const struct reg_value *v)
{
    s->name = wdup(v->name, v->name_chars);
    s->data = malloc(v->size + sizeof(WCHAR));
    if (!s->name || !s->data)
        return false;
    memcpy(s->data, v->data, v->size);
    memset(s->data + v->size, 0, sizeof(WCHAR)); /* strings stay terminated */
    s->type = v->type;
    s->size = v->size;
    return true;
}

/* Copies one named value (*ret_n = 0 when missing) or all values (name NULL) of the key the
 * handle refers to. */
static NTSTATUS snapshot(HANDLE h, const WCHAR *name, struct snap **ret, size_t *ret_n)
{
    struct reg_key *k;
    struct snap *s = NULL;
    size_t n = 0, cap = 0;
    NTSTATUS status = STATUS_SUCCESS;

    pthread_mutex_lock(&reg_lock);
    k = key_of(h);
    if (!k) {
        status = STATUS_INVALID_HANDLE;
        goto out;
    }
    for (struct reg_value *v = k->values; v; v = v->next) {
        if (name && !name_eq(v->name, v->name_chars, name, wlen(name)))
            continue;
        if (n == cap) {
            struct snap *ns = realloc(s, (cap = cap ? cap * 2 : 4) * sizeof(*s));
            if (!ns) {
                status = STATUS_INSUFFICIENT_RESOURCES;
                goto out;
            }
            s = ns;
        }
        memset(&s[n], 0, sizeof(s[n]));
        if (!snap_one(&s[n++], v)) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto out;
        }
        if (name)
            break;
    }
out:
    pthread_mutex_unlock(&reg_lock);
    if (!NT_SUCCESS(status)) {
        snap_free(s, n);
        return status;
    }
    *ret = s;
    *ret_n = n;
    return STATUS_SUCCESS;
}

static void delete_value(HANDLE h, const WCHAR *name)
{
    struct reg_key *k;

    pthread_mutex_lock(&reg_lock);
    k = key_of(h);
    if (k) {
        size_t n = wlen(name);
        for (struct reg_value **pp = &k->values; *pp; pp = &(*pp)->next) {
            if (name_eq((*pp)->name, (*pp)->name_chars, name, n)) {
                struct reg_value *v = *pp;
                *pp = v->next;
                free(v->name);
                free(v->data);
                free(v);
                break;
            }
        }
    }
    pthread_mutex_unlock(&reg_lock);
}

static bool is_string_type(ULONG type)
{
    return type == REG_SZ || type == REG_EXPAND_SZ || type == REG_MULTI_SZ;
}

/* RTL_QUERY_REGISTRY_DIRECT: strings into a UNICODE_STRING (allocated when its Buffer is
 * NULL), up to a ULONG into a ULONG, larger data into a buffer whose first LONG is its size:
 * negative = raw copy, positive = {length, type, data}. */
static NTSTATUS direct(PRTL_QUERY_REGISTRY_TABLE e, ULONG type, const void *data, ULONG size)
{
    if (!e->EntryContext)
        return STATUS_INVALID_PARAMETER;
    if (is_string_type(type)) {
        PUNICODE_STRING us = e->EntryContext;
        ULONG len = size;
        if (type != REG_MULTI_SZ && len >= sizeof(WCHAR) &&
            ((const WCHAR *)data)[len / sizeof(WCHAR) - 1] == 0)
            len -= sizeof(WCHAR); /* Length excludes the terminating NUL */
        len &= ~1u;
        if (len + sizeof(WCHAR) > 0xFFFE)
            return STATUS_BUFFER_TOO_SMALL;
        if (!us->Buffer) {
            us->Buffer = owsk_rtl_alloc(len + sizeof(WCHAR));
            if (!us->Buffer)
                return STATUS_NO_MEMORY;
            us->MaximumLength = (USHORT)(len + sizeof(WCHAR));
        } else if (len > us->MaximumLength) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        memcpy(us->Buffer, data, len);
        us->Length = (USHORT)len;
        if (len + sizeof(WCHAR) <= us->MaximumLength)
            us->Buffer[len / sizeof(WCHAR)] = 0;
        return STATUS_SUCCESS;
    }
    if (size <= sizeof(ULONG)) {
        memcpy(e->EntryContext, data, size);
        return STATUS_SUCCESS;
    }
    {
        LONG cap = *(LONG *)e->EntryContext;
        if (cap < 0) {
            if ((ULONG)-(int64_t)cap < size)
                return STATUS_BUFFER_TOO_SMALL;
            memcpy(e->EntryContext, data, size);
        } else {
            ULONG *p = e->EntryContext;
            if ((uint64_t)cap < (uint64_t)size + 2 * sizeof(ULONG))
                return STATUS_BUFFER_TOO_SMALL;
            p[0] = size;
            p[1] = type;
            memcpy(p + 2, data, size);
        }
    }
    return STATUS_SUCCESS;
}

/* Hands one value to the entry: DIRECT store, or the QueryRoutine (called without any lock),
 * with REG_MULTI_SZ split into one REG_SZ call per string unless NOEXPAND. */
static NTSTATUS deliver(PRTL_QUERY_REGISTRY_TABLE e, PWSTR name, ULONG type, void *data,
                        ULONG size, PVOID Context)
{
    if (e->Flags & RTL_QUERY_REGISTRY_DIRECT)
        return direct(e, type, data, size);
    if (type == REG_MULTI_SZ && !(e->Flags & RTL_QUERY_REGISTRY_NOEXPAND)) {
        WCHAR *p = data, *end = (WCHAR *)((char *)data + (size & ~1u));
        while (p < end && *p) {
            size_t n = 0;
            NTSTATUS status;
            while (p + n < end && p[n])
                n++;
            status = e->QueryRoutine(name, REG_SZ, p, (ULONG)((n + 1) * sizeof(WCHAR)), Context,
                                     e->EntryContext);
            if (!NT_SUCCESS(status))
                return status;
            p += n + 1;
        }
        return STATUS_SUCCESS;
    }
    if (type == REG_EXPAND_SZ && !(e->Flags & RTL_QUERY_REGISTRY_NOEXPAND))
        type = REG_SZ; /* "expanded" (there are no environment variables to expand here) */
    return e->QueryRoutine(name, type, data, size, Context, e->EntryContext);
}

/* DefaultLength 0 means "compute it" for string types. */
static ULONG default_length(ULONG type, const void *data, ULONG len)
{
    const WCHAR *w = data;
    size_t n = 0;

    if (len || !data)
        return len;
    if (type == REG_SZ || type == REG_EXPAND_SZ)
        return (ULONG)((wlen(w) + 1) * sizeof(WCHAR));
    if (type == REG_MULTI_SZ) {
        while (w[n] || w[n + 1])
            n++;
        return (ULONG)((n + 2) * sizeof(WCHAR));
    }
    return 0;
}

static NTSTATUS open_relative(ULONG RelativeTo, PCWSTR Path, HANDLE *ret, bool *ret_owned)
{
    static const WCHAR *const bases[] = {
        [RTL_REGISTRY_ABSOLUTE] = u"",
        [RTL_REGISTRY_SERVICES] = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services",
        [RTL_REGISTRY_CONTROL] = u"\\Registry\\Machine\\System\\CurrentControlSet\\Control",
        [RTL_REGISTRY_WINDOWS_NT] =
            u"\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion",
        [RTL_REGISTRY_DEVICEMAP] = u"\\Registry\\Machine\\Hardware\\DeviceMap",
        [RTL_REGISTRY_USER] = u"\\Registry\\User\\.Default",
    };
    ULONG rel = RelativeTo & ~(ULONG)RTL_REGISTRY_OPTIONAL;
    size_t bn, pn, n;
    WCHAR *full;
    NTSTATUS status;

    if (rel & RTL_REGISTRY_HANDLE) {
        if (!owsk_rtl_registry_is_key((HANDLE)Path))
            return STATUS_INVALID_HANDLE;
        *ret = (HANDLE)Path;
        *ret_owned = false;
        return STATUS_SUCCESS;
    }
    if (rel >= RTL_REGISTRY_MAXIMUM || !Path)
        return STATUS_INVALID_PARAMETER;
    bn = wlen(bases[rel]);
    pn = wlen(Path);
    /* a relative path may still be given absolute ("\Registry\..."): use it as is */
    if (rel != RTL_REGISTRY_ABSOLUTE && pn && Path[0] == '\\')
        bn = 0;
    full = malloc((bn + 1 + pn + 1) * sizeof(WCHAR));
    if (!full)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(full, bases[rel], bn * sizeof(WCHAR));
    n = bn;
    if (bn && pn)
        full[n++] = '\\';
    memcpy(full + n, Path, pn * sizeof(WCHAR));
    n += pn;
    status = open_absolute(full, n, false, ret);
    free(full);
    *ret_owned = true;
    return status;
}

static NTSTATUS open_subkey(HANDLE base, PCWSTR name, HANDLE *ret)
{
    struct reg_key *k;
    NTSTATUS status;

    pthread_mutex_lock(&reg_lock);
    k = key_of(base);
    status = k ? walk(k, name, wlen(name), false, &k) : STATUS_INVALID_HANDLE;
    if (NT_SUCCESS(status))
        status = new_handle(k, ret);
    pthread_mutex_unlock(&reg_lock);
    return status;
}

static NTSTATUS query_entry(PRTL_QUERY_REGISTRY_TABLE e, HANDLE key, PVOID Context)
{
    struct snap *s = NULL;
    size_t n = 0;
    NTSTATUS status;

    if (!e->Name) {
        if (e->Flags & RTL_QUERY_REGISTRY_DIRECT)
            return STATUS_INVALID_PARAMETER;
        if (e->Flags & RTL_QUERY_REGISTRY_NOVALUE)
            return e->QueryRoutine(NULL, REG_NONE, NULL, 0, Context, e->EntryContext);
        status = snapshot(key, NULL, &s, &n);
        for (size_t i = 0; NT_SUCCESS(status) && i < n; i++)
            status = deliver(e, s[i].name, s[i].type, s[i].data, s[i].size, Context);
        snap_free(s, n);
        return status;
    }
    status = snapshot(key, e->Name, &s, &n);
    if (!NT_SUCCESS(status))
        return status;
    if (n) {
        ULONG want = e->DefaultType >> RTL_QUERY_REGISTRY_TYPECHECK_SHIFT;
        if ((e->Flags & RTL_QUERY_REGISTRY_TYPECHECK) && (e->Flags & RTL_QUERY_REGISTRY_DIRECT) &&
            s[0].type != want)
            status = STATUS_OBJECT_TYPE_MISMATCH;
        else
            status = deliver(e, e->Name, s[0].type, s[0].data, s[0].size, Context);
        snap_free(s, n);
        if (NT_SUCCESS(status) && (e->Flags & RTL_QUERY_REGISTRY_DELETE))
            delete_value(key, e->Name);
        return status;
    }
    snap_free(s, n);
    if (e->Flags & RTL_QUERY_REGISTRY_REQUIRED)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    {
        ULONG type = e->DefaultType & 0xFFFFFFu;
        if (type == REG_NONE)
            return STATUS_SUCCESS; /* no value and no default: nothing to report */
        return deliver(e, e->Name, type, e->DefaultData,
                       default_length(type, e->DefaultData, e->DefaultLength), Context);
    }
}

/* RtlQueryRegistryValues: the table ends at an entry with neither QueryRoutine nor Name. The
 * first failing entry's status is returned. A SUBKEY entry with a QueryRoutine reports every
 * value of that subkey. */
NTSYSAPI NTSTATUS NTAPI RtlQueryRegistryValues(
    _In_ ULONG RelativeTo, _In_ PCWSTR Path,
    _Inout_ _At_(*(*QueryTable).EntryContext, _Pre_unknown_) PRTL_QUERY_REGISTRY_TABLE QueryTable,
    _In_opt_ PVOID Context, _In_opt_ PVOID Environment)
{
    HANDLE base, cur, sub = NULL;
    bool owned;
    NTSTATUS status;

    if (!QueryTable)
        return STATUS_INVALID_PARAMETER;
    status = open_relative(RelativeTo, Path, &base, &owned);
    if (!NT_SUCCESS(status)) {
        if (status == STATUS_OBJECT_NAME_NOT_FOUND && (RelativeTo & RTL_REGISTRY_OPTIONAL))
            return STATUS_SUCCESS;
        return status;
    }
    cur = base;
    for (PRTL_QUERY_REGISTRY_TABLE e = QueryTable; e->QueryRoutine || e->Name; e++) {
        if (e->Flags & (RTL_QUERY_REGISTRY_TOPKEY | RTL_QUERY_REGISTRY_SUBKEY)) {
            if (sub)
                owsk_rtl_registry_close(sub);
            sub = NULL;
            cur = base;
        }
        if (e->Flags & RTL_QUERY_REGISTRY_SUBKEY) {
            if (!e->Name) {
                status = STATUS_INVALID_PARAMETER;
                break;
            }
            status = open_subkey(base, e->Name, &sub);
            if (!NT_SUCCESS(status))
                break;
            cur = sub;
            /* a SUBKEY entry with a routine reports every value of the subkey */
            if (e->QueryRoutine) {
                RTL_QUERY_REGISTRY_TABLE all = *e;
                all.Name = NULL;
                all.Flags &= ~(ULONG)RTL_QUERY_REGISTRY_SUBKEY;
                status = query_entry(&all, cur, Context);
                if (!NT_SUCCESS(status))
                    break;
            }
            continue;
        }
        if (!e->QueryRoutine && !(e->Flags & RTL_QUERY_REGISTRY_DIRECT)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        status = query_entry(e, cur, Context);
        if (!NT_SUCCESS(status))
            break;
    }
    if (sub)
        owsk_rtl_registry_close(sub);
    if (owned)
        owsk_rtl_registry_close(base);
    return status;
}
