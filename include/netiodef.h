/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netiodef.h: the network-module identifier (NPI_MODULEID) the Network Module Registrar
 * uses, with its comparison helper (our own inline code). The rest of the WDK's netiodef.h
 * (interface LUIDs, NDIS media types, ...) is not provided. */
#ifndef _NETIODEF_
#define _NETIODEF_

#include <ntdef.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MIT_GUID = 1,
    MIT_IF_LUID = 2
} NPI_MODULEID_TYPE;

/* Identifies one network module: a GUID (most modules) or an interface LUID. Initialised
 * positionally as `{ sizeof(NPI_MODULEID), MIT_GUID, { guid fields } }`. */
typedef struct _NPI_MODULEID {
    USHORT Length;                  /* sizeof(NPI_MODULEID) */
    NPI_MODULEID_TYPE Type;
    union {
        GUID Guid;
        LUID IfLuid;
    };
} NPI_MODULEID;

typedef const NPI_MODULEID *PNPI_MODULEID;

/* Equal when both the kind and the identifier match. */
FORCEINLINE BOOLEAN NmrIsEqualNpiModuleId(PNPI_MODULEID ModuleId1, PNPI_MODULEID ModuleId2)
{
    if (ModuleId1->Type != ModuleId2->Type)
        return FALSE;
    if (ModuleId1->Type == MIT_GUID)
        return memcmp(&ModuleId1->Guid, &ModuleId2->Guid, sizeof(GUID)) == 0;
    if (ModuleId1->Type == MIT_IF_LUID)
        return ModuleId1->IfLuid.LowPart == ModuleId2->IfLuid.LowPart &&
               ModuleId1->IfLuid.HighPart == ModuleId2->IfLuid.HighPart;
    return FALSE;
}

#ifdef __cplusplus
}
#endif

#endif /* _NETIODEF_ */
