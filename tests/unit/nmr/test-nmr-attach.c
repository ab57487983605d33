/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NMR attach: both registration orders, STATUS_NOINTERFACE from either side (and a client
 * retrying with another dispatch version), two clients on one provider, NPI id matching,
 * bad parameters. Expected behaviour from the NMR guide (network-module-attachment,
 * attaching-the-wsk-client-to-the-wsk-subsystem) and the netioddk.h DDI pages. */
#include "nmr_modules.h"

static void check_bound(CLIENT_CONTEXT *c, const NPI_CLIENT_CHARACTERISTICS *cc)
{
    CLIENT_BINDING *cb = &c->Binding;
    PROVIDER_BINDING *pb = provider_binding_for(cb->NmrBindingHandle);

    CHECK_INT(LOAD(cb->Attached), 1);
    CHECK(pb != NULL);
    if (!pb)
        return;
    /* Each side got the other's context, dispatch and registration instance. */
    CHECK(cb->ProviderBindingContext == pb);
    CHECK(cb->ProviderDispatch == &ProviderDispatchV1);
    CHECK(cb->ProviderRegistrationInstance ==
          &ProviderCharacteristics.ProviderRegistrationInstance);
    CHECK(pb->ClientBindingContext == cb);
    CHECK(pb->ClientDispatch == &ClientDispatchV1);
    CHECK(pb->ClientRegistrationInstance == &cc->ClientRegistrationInstance);
    /* The binding works: the client calls through the provider's dispatch. */
    CHECK_UINT(cb->ProviderDispatch->Ping(cb->ProviderBindingContext, 41), 42);
}

static void deregister_provider(void)
{
    CHECK_STATUS(NmrDeregisterProvider(Provider.NmrProviderHandle), STATUS_PENDING);
    CHECK_STATUS(NmrWaitForProviderDeregisterComplete(Provider.NmrProviderHandle),
                 STATUS_SUCCESS);
}

static void deregister_client(CLIENT_CONTEXT *c)
{
    CHECK_STATUS(NmrDeregisterClient(c->NmrClientHandle), STATUS_PENDING);
    CHECK_STATUS(NmrWaitForClientDeregisterComplete(c->NmrClientHandle), STATUS_SUCCESS);
}

/* Provider registered first: the client attaches inside NmrRegisterClient. */
static void test_provider_first(void)
{
    CLIENT_CONTEXT c;
    HANDLE h = (HANDLE)0xdeadbeef;

    reset_modules();
    client_init(&c);
    CHECK_STATUS(NmrRegisterProvider(&ProviderCharacteristics, &Provider, &h), STATUS_SUCCESS);
    CHECK(h != NULL && h != (HANDLE)0xdeadbeef);
    Provider.NmrProviderHandle = h;
    CHECK_INT(Provider.AttachCalls, 0); /* no clients yet */

    CHECK_STATUS(NmrRegisterClient(&ClientCharacteristics, &c, &c.NmrClientHandle),
                 STATUS_SUCCESS);
    CHECK(c.NmrClientHandle != NULL && c.NmrClientHandle != h);
    CHECK_INT(c.AttachCalls, 1);
    CHECK_INT(Provider.AttachCalls, 1);
    check_bound(&c, &ClientCharacteristics);
    CHECK_UINT(owsk_nmr_bindings_outstanding(), 1);

    /* Client leaves first: both detach callbacks once, then both cleanups. */
    deregister_client(&c);
    CHECK_INT(c.Binding.DetachCalls, 1);
    CHECK_INT(c.Binding.CleanupCalls, 1);
    CHECK_INT(Provider.Bindings[0].DetachCalls, 1);
    CHECK_INT(Provider.Bindings[0].CleanupCalls, 1);
    CHECK_INT(LOAD(c.Binding.Attached), 0);
    CHECK_UINT(owsk_nmr_bindings_outstanding(), 0);
    deregister_provider();
    CHECK_INT(c.Binding.DetachCalls, 1); /* not again */
    CHECK_UINT(owsk_nmr_modules_outstanding(), 0);
}

/* Client registered first: it attaches when the provider registers. */
static void test_client_first(void)
{
    CLIENT_CONTEXT c;

    reset_modules();
    client_init(&c);
    CHECK_STATUS(NmrRegisterClient(&ClientCharacteristics, &c, &c.NmrClientHandle),
                 STATUS_SUCCESS);
    CHECK_INT(c.AttachCalls, 0); /* no provider yet */
    CHECK_STATUS(NmrRegisterProvider(&ProviderCharacteristics, &Provider,
                                     &Provider.NmrProviderHandle),
                 STATUS_SUCCESS);
    CHECK_INT(c.AttachCalls, 1);
    CHECK_INT(Provider.AttachCalls, 1);
    check_bound(&c, &ClientCharacteristics);

    /* Provider leaves first: the client is detached but stays registered, and attaches
     * again to a provider that registers later. */
    deregister_provider();
    CHECK_INT(c.Binding.DetachCalls, 1);
    CHECK_INT(c.Binding.CleanupCalls, 1);
    CHECK_INT(Provider.Bindings[0].DetachCalls, 1);
    CHECK_INT(Provider.Bindings[0].CleanupCalls, 1);
    CHECK_UINT(owsk_nmr_modules_outstanding(), 1);

    CHECK_STATUS(NmrRegisterProvider(&ProviderCharacteristics, &Provider,
                                     &Provider.NmrProviderHandle),
                 STATUS_SUCCESS);
    CHECK_INT(c.AttachCalls, 2);
    check_bound(&c, &ClientCharacteristics);
    deregister_client(&c);
    CHECK_INT(c.Binding.DetachCalls, 1);
    deregister_provider();
    CHECK_UINT(owsk_nmr_modules_outstanding(), 0);
}

/* STATUS_NOINTERFACE from the client's attach callback: no binding, no provider call. */
static void test_client_refuses(void)
{
    CLIENT_CONTEXT c;

    reset_modules();
    client_init(&c);
    c.SupportedVersion = 2; /* the provider only offers 1 */
    CHECK_STATUS(NmrRegisterProvider(&ProviderCharacteristics, &Provider,
                                     &Provider.NmrProviderHandle),
                 STATUS_SUCCESS);
    CHECK_STATUS(NmrRegisterClient(&ClientCharacteristics, &c, &c.NmrClientHandle),
                 STATUS_SUCCESS);
    CHECK_INT(c.AttachCalls, 1);
    CHECK_INT(Provider.AttachCalls, 0);
    CHECK_INT(LOAD(c.Binding.Attached), 0);
    CHECK_UINT(owsk_nmr_bindings_outstanding(), 0);
    deregister_provider();
    deregister_client(&c);
    CHECK_INT(c.Binding.DetachCalls, 0);
    CHECK_INT(c.Binding.CleanupCalls, 0);
}

/* STATUS_NOINTERFACE from the provider: NmrClientAttachProvider returns it, the client may
 * offer another dispatch version (as WSK clients do), or give up. */
static void test_provider_refuses(void)
{
    CLIENT_CONTEXT c, r;

    reset_modules();
    client_init(&c);
    client_init(&r);
    c.TryV2First = TRUE;
    CHECK_STATUS(NmrRegisterProvider(&ProviderCharacteristics, &Provider,
                                     &Provider.NmrProviderHandle),
                 STATUS_SUCCESS);
    CHECK_STATUS(NmrRegisterClient(&ClientCharacteristics, &c, &c.NmrClientHandle),
                 STATUS_SUCCESS);
    CHECK_STATUS(c.Binding.FirstAttachStatus, STATUS_NOINTERFACE);
    CHECK_INT(Provider.AttachCalls, 2);
    CHECK_INT(Provider.Refused, 1);
    check_bound(&c, &ClientCharacteristics);

    /* This client's registration instance makes the provider refuse every version. */
    CHECK_STATUS(NmrRegisterClient(&RefusedClientCharacteristics, &r, &r.NmrClientHandle),
                 STATUS_SUCCESS);
    CHECK_INT(r.AttachCalls, 1);
    CHECK_INT(Provider.Refused, 2);
    CHECK_INT(LOAD(r.Binding.Attached), 0);
    CHECK_UINT(owsk_nmr_bindings_outstanding(), 1);

    deregister_client(&r);
    CHECK_INT(r.Binding.DetachCalls, 0);
    deregister_client(&c);
    CHECK_INT(c.Binding.DetachCalls, 1);
    deregister_provider();
}

/* Two clients on one provider; a client of another NPI is never offered this provider. */
static void test_two_clients(void)
{
    CLIENT_CONTEXT a, b, o;

    reset_modules();
    client_init(&a);
    client_init(&b);
    client_init(&o);
    CHECK_STATUS(NmrRegisterClient(&ClientCharacteristics, &a, &a.NmrClientHandle),
                 STATUS_SUCCESS);
    CHECK_STATUS(NmrRegisterClient(&OtherNpiClientCharacteristics, &o, &o.NmrClientHandle),
                 STATUS_SUCCESS);
    CHECK_STATUS(NmrRegisterProvider(&ProviderCharacteristics, &Provider,
                                     &Provider.NmrProviderHandle),
                 STATUS_SUCCESS);
    CHECK_STATUS(NmrRegisterClient(&ClientCharacteristics, &b, &b.NmrClientHandle),
                 STATUS_SUCCESS);
    CHECK_INT(Provider.AttachCalls, 2);
    CHECK_INT(o.AttachCalls, 0);
    check_bound(&a, &ClientCharacteristics);
    check_bound(&b, &ClientCharacteristics);
    CHECK(a.Binding.NmrBindingHandle != b.Binding.NmrBindingHandle);
    CHECK(a.Binding.ProviderBindingContext != b.Binding.ProviderBindingContext);
    CHECK_UINT(owsk_nmr_bindings_outstanding(), 2);

    /* The provider leaves: every binding detaches on both sides, once. */
    deregister_provider();
    CHECK_INT(a.Binding.DetachCalls, 1);
    CHECK_INT(b.Binding.DetachCalls, 1);
    CHECK_INT(a.Binding.CleanupCalls, 1);
    CHECK_INT(b.Binding.CleanupCalls, 1);
    CHECK_INT(Provider.Bindings[0].DetachCalls + Provider.Bindings[1].DetachCalls, 2);
    CHECK_INT(Provider.Bindings[0].CleanupCalls + Provider.Bindings[1].CleanupCalls, 2);
    CHECK_UINT(owsk_nmr_bindings_outstanding(), 0);
    deregister_client(&a);
    deregister_client(&b);
    deregister_client(&o);
    CHECK_INT(a.Binding.DetachCalls, 1);
    CHECK_UINT(owsk_nmr_modules_outstanding(), 0);
}

static void test_bad_parameters(void)
{
    NPI_CLIENT_CHARACTERISTICS bad = ClientCharacteristics;
    CLIENT_CONTEXT c;
    HANDLE h = (HANDLE)0xdeadbeef;
    PVOID ctx = (PVOID)0xdeadbeef;
    const VOID *disp = (const VOID *)0xdeadbeef;

    client_init(&c);
    CHECK_STATUS(NmrRegisterClient(NULL, &c, &h), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(NmrRegisterClient(&ClientCharacteristics, &c, NULL), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(NmrRegisterProvider(NULL, &Provider, &h), STATUS_INVALID_PARAMETER);
    bad.Length = sizeof(bad) - 8;
    CHECK_STATUS(NmrRegisterClient(&bad, &c, &h), STATUS_INVALID_PARAMETER);
    bad = ClientCharacteristics;
    bad.ClientAttachProvider = NULL;
    CHECK_STATUS(NmrRegisterClient(&bad, &c, &h), STATUS_INVALID_PARAMETER);
    bad = ClientCharacteristics;
    bad.ClientRegistrationInstance.NpiId = NULL;
    CHECK_STATUS(NmrRegisterClient(&bad, &c, &h), STATUS_INVALID_PARAMETER);
    CHECK(h == (HANDLE)0xdeadbeef); /* never written on failure */

    /* Waits need a deregistration; handles are checked; one deregistration per handle. */
    CHECK_STATUS(NmrRegisterClient(&ClientCharacteristics, &c, &c.NmrClientHandle),
                 STATUS_SUCCESS);
    CHECK_STATUS(NmrWaitForClientDeregisterComplete(c.NmrClientHandle),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(NmrWaitForProviderDeregisterComplete(c.NmrClientHandle),
                 STATUS_INVALID_PARAMETER); /* a client handle is not a provider handle */
    CHECK_STATUS(NmrDeregisterProvider(c.NmrClientHandle), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(NmrDeregisterClient(&c), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(NmrDeregisterClient(c.NmrClientHandle), STATUS_PENDING);
    CHECK_STATUS(NmrDeregisterClient(c.NmrClientHandle), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(NmrWaitForClientDeregisterComplete(c.NmrClientHandle), STATUS_SUCCESS);
    CHECK_STATUS(NmrWaitForClientDeregisterComplete(c.NmrClientHandle),
                 STATUS_INVALID_PARAMETER);

    /* NmrClientAttachProvider outside an attach callback. */
    CHECK_STATUS(NmrClientAttachProvider((HANDLE)&c, &c, &ClientDispatchV1, &ctx, &disp),
                 STATUS_INVALID_PARAMETER);
    CHECK(ctx == (PVOID)0xdeadbeef && disp == (const VOID *)0xdeadbeef);
    CHECK_UINT(owsk_nmr_modules_outstanding(), 0);
}

int main(void)
{
    test_provider_first();
    test_client_first();
    test_client_refuses();
    test_provider_refuses();
    test_two_clients();
    test_bad_parameters();
    return t_done();
}
