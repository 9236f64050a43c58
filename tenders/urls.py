"""Pages of surveys, tenders, bids and agreements. Paths are in English; the pages speak the person's language."""

from django.urls import path

from tenders.views import agreements, bids, evaluation, questions, surveys, tenders

survey_patterns = [
    path("surveys/", surveys.SurveyListView.as_view(), name="surveys"),
    path("surveys/new/", surveys.SurveyCreateView.as_view(), name="survey_create"),
    path("surveys/<int:pk>/", surveys.SurveyDetailView.as_view(), name="survey_detail"),
    path("surveys/<int:pk>/edit/", surveys.SurveyUpdateView.as_view(), name="survey_update"),
    path("surveys/<int:pk>/open/", surveys.SurveyOpenView.as_view(), name="survey_open"),
    path("surveys/<int:pk>/close/", surveys.SurveyCloseView.as_view(), name="survey_close"),
    path("surveys/<int:pk>/declare/", surveys.SurveyDeclareView.as_view(), name="survey_declare"),
]

tender_patterns = [
    path("tenders/", tenders.TenderListView.as_view(), name="tenders"),
    path("tenders/new/", tenders.TenderCreateView.as_view(), name="tender_create"),
    path("tenders/<int:pk>/", tenders.TenderDetailView.as_view(), name="tender_detail"),
    path("tenders/<int:pk>/edit/", tenders.TenderUpdateView.as_view(), name="tender_update"),
    path("tenders/<int:pk>/documents/add/", tenders.TenderDocumentAddView.as_view(), name="tender_document_add"),
    path("tenders/<int:pk>/documents/<int:document_pk>/", tenders.TenderDocumentView.as_view(), name="tender_document"),
    path("tenders/<int:pk>/publish/", tenders.TenderPublishView.as_view(), name="tender_publish"),
    path("tenders/<int:pk>/cancel/", tenders.TenderCancelView.as_view(), name="tender_cancel"),
    path("tenders/<int:pk>/questions/", questions.TenderQuestionsView.as_view(), name="tender_questions"),
    path("tenders/<int:pk>/questions/ask/", questions.QuestionAskView.as_view(), name="tender_question_ask"),
    path(
        "tenders/<int:pk>/questions/<int:question_pk>/answer/",
        questions.QuestionAnswerView.as_view(),
        name="tender_question_answer",
    ),
    path("tenders/<int:pk>/lots/<int:lot_pk>/bid/", bids.BidSubmitView.as_view(), name="bid_submit"),
    path("tenders/<int:pk>/bids/", evaluation.TenderBidsView.as_view(), name="tender_bids"),
    path("tenders/<int:pk>/bids/record/", evaluation.RecordBidView.as_view(), name="tender_record_bid"),
    path("tenders/<int:pk>/open/", evaluation.TenderOpenBidsView.as_view(), name="tender_open_bids"),
    path("tenders/<int:pk>/evaluation/", evaluation.EvaluationView.as_view(), name="tender_evaluation"),
    path("tenders/<int:pk>/evaluate/", evaluation.TenderEvaluateView.as_view(), name="tender_evaluate"),
    path("tenders/<int:pk>/award/", evaluation.AwardView.as_view(), name="tender_award"),
    path("tenders/<int:pk>/conclude/", evaluation.ConcludeView.as_view(), name="tender_conclude"),
]

bid_patterns = [
    path("bids/", bids.BidListView.as_view(), name="bids"),
    path("bids/<int:pk>/", bids.BidDetailView.as_view(), name="bid_detail"),
    path("bids/<int:pk>/replace/", bids.BidReplaceView.as_view(), name="bid_replace"),
    path("bids/<int:pk>/withdraw/", bids.BidWithdrawView.as_view(), name="bid_withdraw"),
    path("bids/<int:pk>/attachments/<str:attachment_id>/", bids.BidAttachmentView.as_view(), name="bid_attachment"),
    path("bids/<int:pk>/score/", evaluation.BidScoreView.as_view(), name="bid_score"),
    path("bids/<int:pk>/exclude/", evaluation.BidExcludeView.as_view(), name="bid_exclude"),
    path("bids/<int:pk>/reinstate/", evaluation.BidReinstateView.as_view(), name="bid_reinstate"),
]

agreement_patterns = [
    path("agreements/", agreements.AgreementListView.as_view(), name="agreements"),
    path("agreements/<int:pk>/", agreements.AgreementDetailView.as_view(), name="agreement_detail"),
    path("agreements/<int:pk>/modify/", agreements.AgreementModifyView.as_view(), name="agreement_modify"),
    path("agreements/<int:pk>/substitute/", agreements.AgreementSubstituteView.as_view(), name="agreement_substitute"),
    path("agreements/<int:pk>/terminate/", agreements.AgreementTerminateView.as_view(), name="agreement_terminate"),
]

urlpatterns = [
    *survey_patterns,
    *tender_patterns,
    *bid_patterns,
    *agreement_patterns,
]
