"""Pages of ordering. Paths are in English; the pages speak the person's language."""

from django.urls import path

from procurement.orders.views import actions, call_offs, cart, chains, competitions, orders, subscriptions

subscription_patterns = [
    path("subscriptions/", subscriptions.SubscriptionsView.as_view(), name="subscriptions"),
    path(
        "subscriptions/agreements/<int:pk>/subscribe/",
        subscriptions.SubscribeView.as_view(),
        name="subscription_create",
    ),
    path(
        "subscriptions/<int:pk>/estimate/", subscriptions.SubscriptionUpdateView.as_view(), name="subscription_update"
    ),
    path("subscriptions/<int:pk>/end/", subscriptions.SubscriptionEndView.as_view(), name="subscription_end"),
]

cart_patterns = [
    path("cart/", cart.CartView.as_view(), name="cart"),
    path("cart/add/", cart.CartAddView.as_view(), name="cart_add"),
    path("cart/lines/<int:pk>/", cart.CartLineUpdateView.as_view(), name="cart_line_update"),
    path("cart/lines/<int:pk>/remove/", cart.CartLineRemoveView.as_view(), name="cart_line_remove"),
    path("cart/checkout/", cart.CheckoutView.as_view(), name="cart_checkout"),
]

order_patterns = [
    path("orders/", orders.OrderListView.as_view(), name="orders"),
    path("orders/<int:pk>/", orders.OrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/pdf/", orders.OrderPdfView.as_view(), name="order_pdf"),
    path("orders/<int:pk>/ubl/", orders.OrderUblView.as_view(), name="order_ubl"),
    path("orders/<int:pk>/submit/", actions.OrderSubmitView.as_view(), name="order_submit"),
    path("orders/<int:pk>/approve/", actions.OrderApproveView.as_view(), name="order_approve"),
    path("orders/<int:pk>/reject/", actions.OrderRejectView.as_view(), name="order_reject"),
    path("orders/<int:pk>/send/", actions.OrderSendView.as_view(), name="order_send"),
    path("orders/<int:pk>/confirm/", actions.OrderConfirmView.as_view(), name="order_confirm"),
    path("orders/<int:pk>/decline/", actions.OrderDeclineView.as_view(), name="order_decline"),
    path("orders/<int:pk>/readdress/", actions.OrderReaddressView.as_view(), name="order_readdress"),
    path("orders/<int:pk>/deliver/", actions.OrderDeliverView.as_view(), name="order_deliver"),
    path("orders/<int:pk>/close/", actions.OrderCloseView.as_view(), name="order_close"),
    path("orders/<int:pk>/cancel/", actions.OrderCancelView.as_view(), name="order_cancel"),
]

competition_patterns = [
    path("competitions/", competitions.CompetitionListView.as_view(), name="competitions"),
    path("competitions/new/", competitions.CompetitionCreateView.as_view(), name="competition_create"),
    path("competitions/<int:pk>/", competitions.CompetitionDetailView.as_view(), name="competition_detail"),
    path("competitions/<int:pk>/publish/", competitions.CompetitionPublishView.as_view(), name="competition_publish"),
    path("competitions/<int:pk>/close/", competitions.CompetitionCloseView.as_view(), name="competition_close"),
    path("competitions/<int:pk>/award/", competitions.CompetitionAwardView.as_view(), name="competition_award"),
    path("competitions/<int:pk>/cancel/", competitions.CompetitionCancelView.as_view(), name="competition_cancel"),
    path("competitions/<int:pk>/quote/", competitions.QuoteSubmitView.as_view(), name="competition_quote"),
    path(
        "competitions/<int:pk>/quote/withdraw/",
        competitions.QuoteWithdrawView.as_view(),
        name="competition_quote_withdraw",
    ),
]

urlpatterns = [
    *subscription_patterns,
    *cart_patterns,
    *order_patterns,
    *competition_patterns,
    path("approval-chain/", chains.ApprovalChainView.as_view(), name="approval_chain"),
    path("call-offs/", call_offs.CallOffListView.as_view(), name="call_offs"),
    path("call-offs/new/", call_offs.CallOffRecordView.as_view(), name="call_off_record"),
    path("call-offs/<int:pk>/cancel/", call_offs.CallOffCancelView.as_view(), name="call_off_cancel"),
]
