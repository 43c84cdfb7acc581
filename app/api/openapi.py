"""The OpenAPI 3 document for /api/v1."""
from flask import jsonify

from app.api import bp
from app.auth.legal import PRIVACY_VERSION, TERMS_VERSION


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {str(s): {"$ref": "#/components/responses/Error"} for s in (400, 401, 403, 404, 409, 422, 429)}


def _op(summary, ok="200", schema=None, body=None, params=(), auth=False, tags=()):
    op = {"summary": summary, "tags": list(tags), "responses": {ok: _json(schema or {"type": "object"}), **ERRORS}}
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = list(params)
    if auth:
        op["security"] = [{"bearer": []}, {"session": []}]
    return op


def _done(summary, body=None, params=(), auth=False, tags=("users",)):
    """An operation that answers 204 with no body."""
    op = _op(summary, body=body, params=params, auth=auth, tags=tags)
    op["responses"] = {"204": {"description": "Done"}, **ERRORS}
    return op


def _q(name, schema=None, description=""):
    return {"name": name, "in": "query", "required": False, "schema": schema or {"type": "string"},
            "description": description}


def _path(name):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _obj(**props):
    return {"type": "object", "properties": {k: {"type": v} for k, v in props.items()}}


PROPOSAL_ID = _path("proposal_id")
IDEA_ID = {"name": "idea_id", "in": "path", "required": True, "schema": {"type": "integer"}}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 200},
               "description": "Same key and body replay the first response; another body gives 409."}
PAGE = [_q("page", {"type": "integer", "minimum": 1}), _q("per_page", {"type": "integer", "minimum": 1, "maximum": 100})]


def _page_of(item):
    return {"type": "object", "properties": {"items": {"type": "array", "items": _ref(item)},
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "total": {"type": "integer", "nullable": True,
                      "description": "Exact up to 10,000 matches; null past that (see at_least)."},
            "at_least": {"type": "integer", "description": "Lists with a capped count: rows known to exist."},
            "has_next": {"type": "boolean", "description": "Lists with a capped count: whether a page follows."}}}


SCHEMAS = {
    "Error": {"type": "object", "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}}},
    "Ref": {"type": "object", "properties": {"code": {"type": "string"}, "name_ko": {"type": "string"}, "name_en": {"type": "string"}}},
    "UserPublic": {"type": "object", "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"}}},
    "Me": {"type": "object", "properties": {
        "id": {"type": "integer"}, "display_name": {"type": "string"}, "email": {"type": "string"},
        "locale": {"type": "string", "enum": ["ko", "en"]}, "roles": {"type": "array", "items": {"type": "string"}},
        "verified": {"type": "boolean"}, "investor_category": {"type": "string"},
        "wallet_balance_amount": {"type": "integer"}, "currency": {"type": "string", "enum": ["KRW"]},
        "created_at": {"type": "string", "format": "date-time"},
        "pending_email": {"type": "string", "nullable": True, "description": "a new address waiting for its link"},
        "terms_version": {"type": "string", "nullable": True}, "privacy_version": {"type": "string", "nullable": True}}},
    "Register": {"type": "object", "required": ["email", "password", "display_name", "accept_terms"], "properties": {
        "email": {"type": "string", "format": "email"},
        "password": {"type": "string", "minLength": 10, "maxLength": 200,
                     "description": "refused when easy to guess (zxcvbn score under 3), with advice"},
        "display_name": {"type": "string", "minLength": 2, "maxLength": 60}, "locale": {"type": "string", "enum": ["ko", "en"]},
        "accept_terms": {"type": "boolean", "enum": [True], "description":
                         f"accepts the terms of use (version {TERMS_VERSION}, /terms) and the privacy notice, "
                         f"개인정보 수집·이용 동의 (version {PRIVACY_VERSION}, /privacy)"}}},
    "RegistrationAccepted": {"type": "object", "required": ["email", "message"], "description":
                             "The same for a new address and one that has an account (its owner is mailed instead).",
                             "properties": {"email": {"type": "string"}, "message": {"type": "string"},
                                            "terms_version": {"type": "string", "enum": [TERMS_VERSION]},
                                            "privacy_version": {"type": "string", "enum": [PRIVACY_VERSION]}}},
    "Message": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
    "TokenInfo": {"type": "object", "properties": {
        "id": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time"},
        "current": {"type": "boolean", "description": "the token this request is made with"}}},
    "ProposalRef": {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"},
        "stage": {"type": "string", "enum": ["drafting", "review", "funding", "testbed", "market", "closed"]},
        "url": {"type": "string"}}},
    "IdeaRef": {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "status": {"type": "string"}, "url": {"type": "string"}}},
    "Credentials": {"type": "object", "required": ["email", "password"], "properties": {
        "email": {"type": "string"}, "password": {"type": "string"}}},
    "Token": {"type": "object", "properties": {"token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}},
    "IdeaInput": {"type": "object", "required": ["title", "summary", "body", "category", "municipality"], "properties": {
        "title": {"type": "string", "minLength": 4, "maxLength": 120},
        "summary": {"type": "string", "minLength": 10, "maxLength": 300},
        "body": {"type": "string", "minLength": 20, "maxLength": 20000, "description": "Markdown"},
        "category": {"type": "string", "description": "a code from /categories"},
        "municipality": {"type": "string", "description": "a code from /municipalities"}}},
    "IdeaPatch": {"type": "object", "description": "Any IdeaInput fields, or {\"status\": \"withdrawn\"} alone.",
                  "properties": {"status": {"type": "string", "enum": ["withdrawn"]}}},
    "Idea": {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "summary": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "open", "shortlisted", "adopted", "archived", "withdrawn", "merged", "hidden"]},
        "support_count": {"type": "integer"}, "comment_count": {"type": "integer"},
        "author": _ref("UserPublic"), "category": _ref("Ref"), "municipality": _ref("Ref"),
        "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time", "nullable": True},
        "collects_supports": {"type": "boolean", "description": "whether supports are taken now (an open idea "
                              "past its deadline refuses them before the scheduled run archives it)"},
        "supported": {"type": "boolean"}, "body": {"type": "string"}, "body_html": {"type": "string", "description": "sanitized HTML"},
        "permissions": {"type": "object", "additionalProperties": {"type": "boolean"}}, "url": {"type": "string"}}},
    "Answer": {"type": "object", "properties": {
        "id": {"type": "integer"}, "idea_id": {"type": "integer"}, "body": {"type": "string"},
        "author": _ref("UserPublic"), "created_at": {"type": "string", "format": "date-time"}}},
    "ShareTerms": _obj(community_share_bp="integer", proposer_bp="integer", contributors_bp="integer",
                       backers_bp="integer", commons_bp="integer", backers_cap_multiple_bp="integer",
                       frozen="boolean", frozen_at="string"),
    "Proposal": {"type": "object", "properties": {
        "id": {"type": "integer"}, "idea_id": {"type": "integer"}, "title": {"type": "string"},
        "stage": {"type": "string", "enum": ["drafting", "review", "funding", "testbed", "market", "closed"]},
        "budget_amount": {"type": "integer"}, "currency": {"type": "string", "enum": ["KRW"]},
        "municipality": _ref("Ref"), "lead_expert": _ref("UserPublic"), "proposer": _ref("UserPublic"),
        "team": {"type": "array", "items": {"type": "object"}}, "milestones": {"type": "array", "items": {"type": "object"}},
        "share_terms": {"type": "object", "nullable": True}, "cities": {"type": "array", "items": _ref("Ref")},
        "stale": {"type": "boolean"}}},
    "SupportState": {"type": "object", "properties": {"supported": {"type": "boolean"}, "support_count": {"type": "integer"}}},
    "CommentInput": {"type": "object", "required": ["body"], "properties": {
        "body": {"type": "string", "minLength": 1, "maxLength": 5000}, "parent_id": {"type": "integer", "nullable": True}}},
    "Membership": {"type": "object", "properties": {
        "id": {"type": "integer"}, "confirmed": {"type": "boolean"},
        "status": {"type": "string", "enum": ["pending", "confirmed", "declined"]}}},
    "Reason": {"type": "object", "required": ["reason"], "properties": {
        "reason": {"type": "string", "minLength": 1, "maxLength": 500}}},
    "Notification": {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "message": {"type": "string"},
        "subject_type": {"type": "string", "description": "idea, proposal, membership, ..."},
        "subject_id": {"type": "integer"}, "link": {"type": "string", "nullable": True, "description": "absolute URL"},
        "created_at": {"type": "string", "format": "date-time"}, "read": {"type": "boolean"}}},
    "AuditEntry": {"type": "object", "properties": {
        "id": {"type": "integer"},
        "action": {"type": "string", "description": "<subject>.<verb or new state>, e.g. idea.shortlisted"},
        "actor": {"allOf": [_ref("UserPublic")], "nullable": True,
                  "description": "null when the platform's own rule acted (deadlines, thresholds)"},
        "subject": {"type": "object", "properties": {
            "type": {"type": "string"}, "id": {"type": "integer", "nullable": True},
            "title": {"type": "string", "nullable": True}, "url": {"type": "string", "nullable": True}}},
        "reason": {"type": "string", "nullable": True},
        "data": {"type": "object", "description": "states, keys and numbers; never personal data"},
        "created_at": {"type": "string", "format": "date-time"}}},
    "Comment": {"type": "object", "properties": {
        "id": {"type": "integer"}, "idea_id": {"type": "integer"}, "parent_id": {"type": "integer", "nullable": True},
        "author": _ref("UserPublic"), "body": {"type": "string"}, "body_html": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}}},
}

PATHS = {
    "/api/v1/openapi.json": {"get": _op("This document", tags=["meta"])},
    "/api/v1/users": {"post": {**_op(
        "Register; 202 whether or not the address has an account (a new one gets the verification link, an "
        "existing one a note to its owner)", "202", _ref("RegistrationAccepted"), _ref("Register"), [IDEMPOTENCY],
        tags=["users"])}},
    "/api/v1/tokens": {"post": _op(
        "Log in: exchange credentials for a bearer token. Failed attempts count with the login page's, per account "
        "and address, per address and per account (about 100 an hour); 429 says how long to wait (Retry-After)",
        "201", _ref("Token"), _ref("Credentials"), tags=["users"])},
    "/api/v1/tokens/current": {"delete": _done("Revoke the token this request is made with", auth=True)},
    "/api/v1/tokens/{token_id}": {"delete": _done("Revoke one of my tokens", params=[_path("token_id")], auth=True)},
    "/api/v1/me": {
        "get": _op("The acting user", schema=_ref("Me"), auth=True, tags=["users"]),
        "patch": _op("Change the account's language", schema=_ref("Me"), body={
            "type": "object", "required": ["locale"], "properties": {"locale": {"type": "string", "enum": ["ko", "en"]}}},
            auth=True, tags=["users"]),
        "delete": _done("Delete the account, knowing its password: personal data erased, ideas, comments and "
                        "supports kept under an anonymous name, every session and token ended", body={
                            "type": "object", "required": ["password"], "properties": {"password": {"type": "string"}}},
                        auth=True),
    },
    "/api/v1/me/tokens": {"get": _op("My unexpired API tokens (never their values)", auth=True, tags=["users"],
                                     schema={"type": "object", "properties": {
                                         "items": {"type": "array", "items": _ref("TokenInfo")}}})},
    "/api/v1/me/password": {"put": _done(
        "Change the password, knowing the current one: other sessions end, other tokens are revoked", body={
            "type": "object", "required": ["current_password", "password"], "properties": {
                "current_password": {"type": "string"}, "password": {"type": "string", "minLength": 10, "maxLength": 200}}},
        auth=True)},
    "/api/v1/me/email": {"post": _op(
        "Ask to change the email address; it changes when the link mailed to the new address is followed", "202",
        {"type": "object", "properties": {"pending_email": {"type": "string"}, "message": {"type": "string"}}},
        {"type": "object", "required": ["email", "password"], "properties": {
            "email": {"type": "string", "format": "email", "maxLength": 254}, "password": {"type": "string"}}},
        auth=True, tags=["users"])},
    "/api/v1/password-resets": {"post": _op(
        "Mail a link to choose a new password (valid for an hour, once); 202 whatever the address", "202",
        _ref("Message"), {"type": "object", "required": ["email"], "properties": {
            "email": {"type": "string", "format": "email", "maxLength": 254}}}, tags=["users"])},
    "/api/v1/password-resets/{token}": {"post": _done(
        "Choose a new password with the token from the mailed link: every session ends, API tokens are revoked",
        body={"type": "object", "required": ["password"], "properties": {
            "password": {"type": "string", "minLength": 10, "maxLength": 200}}},
        params=[{"name": "token", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "the last part of the mailed link /auth/reset/{token}"}])},
    "/api/v1/users/{user_id}": {"get": _op(
        "A public profile: name, badges, public ideas, proposals led, confirmed contributions (never the email)",
        schema={"type": "object", "properties": {
            "id": {"type": "integer"}, "display_name": {"type": "string"},
            "badges": {"type": "array", "items": {"type": "string", "enum": ["expert", "steward"]}},
            "url": {"type": "string"}, "ideas": {"type": "array", "items": _ref("Idea")},
            "proposals": {"type": "array", "items": _ref("ProposalRef")},
            "contributions": {"type": "array", "items": {"type": "object", "properties": {
                "proposal": _ref("ProposalRef"), "kind": {"type": "string"}, "points": {"type": "integer"},
                "confirmed_at": {"type": "string", "format": "date-time"}}}}}},
        params=[_path("user_id")], tags=["users"])},
    "/api/v1/me/activity": {"get": _op(
        "My ideas (drafts too), supports, comments, proposals I am on and invitations waiting for my answer "
        "(the latest 50 of each)", auth=True, tags=["users"], schema={"type": "object", "properties": {
            "ideas": {"type": "array", "items": _ref("Idea")},
            "supports": {"type": "array", "items": {"type": "object", "properties": {
                "idea": _ref("IdeaRef"), "supported_at": {"type": "string", "format": "date-time"}}}},
            "comments": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "idea": _ref("IdeaRef"), "body": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"}}}},
            "proposals": {"type": "array", "items": {"allOf": [_ref("ProposalRef"), {"type": "object", "properties": {
                "role": {"type": "string"}}}]}},
            "invitations": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer", "description": "answer at /proposals/{proposal_id}/team/{id}/answer"},
                "proposal": _ref("ProposalRef"), "role": {"type": "string"},
                "organization": {"type": "object", "nullable": True}}}}}})},
    "/api/v1/municipalities": {"get": _op("Gyeonggi's 31 cities and counties", tags=["reference"])},
    "/api/v1/categories": {"get": _op("Idea categories", tags=["reference"])},
    "/api/v1/ideas": {
        "get": _op("List ideas", schema=_page_of("Idea"), tags=["ideas"], params=[
            _q("sort", {"type": "string", "enum": ["hot", "new", "top"]}),
            _q("status", {"type": "string", "enum": ["open", "shortlisted", "adopted", "archived"]},
               description="default: the active ideas (open, shortlisted, adopted)"),
            _q("category"), _q("municipality"), _q("q", description="substring of title or summary"), *PAGE]),
        "post": _op("Post an idea (verified users)", "201", _ref("Idea"), _ref("IdeaInput"), [IDEMPOTENCY], True, ["ideas"]),
    },
    "/api/v1/ideas/{idea_id}": {
        "get": _op("One idea", schema=_ref("Idea"), params=[IDEA_ID], tags=["ideas"]),
        "patch": _op("Edit (author, before the first support) or withdraw", schema=_ref("Idea"),
                     body=_ref("IdeaPatch"), params=[IDEA_ID], auth=True, tags=["ideas"]),
    },
    "/api/v1/ideas/{idea_id}/support": {
        "put": _op("Support (idempotent)", schema=_ref("SupportState"), params=[IDEA_ID], auth=True, tags=["ideas"]),
        "delete": _op("Withdraw support (idempotent)", schema=_ref("SupportState"), params=[IDEA_ID], auth=True, tags=["ideas"]),
    },
    "/api/v1/ideas/{idea_id}/comments": {
        "get": _op("Comments in time order", schema=_page_of("Comment"), params=[IDEA_ID, *PAGE], tags=["ideas"]),
        "post": _op("Comment or reply", "201", _ref("Comment"), _ref("CommentInput"), [IDEA_ID, IDEMPOTENCY], True, ["ideas"]),
    },
    "/api/v1/ideas/{idea_id}/similar": {"get": _op("Ideas like this one (duplicate finder)", params=[IDEA_ID], tags=["ideas"])},
    "/api/v1/ideas/{idea_id}/answer": {
        "get": _op("The official answer", schema=_ref("Answer"), params=[IDEA_ID], tags=["lifecycle"]),
        "post": _op("Publish the official answer (stewards)", "201", _ref("Answer"),
                    {"type": "object", "required": ["body"], "properties": {
                        "body": {"type": "string", "minLength": 1, "maxLength": 20000, "description": "Markdown"}}},
                    [IDEA_ID], True, ["lifecycle"]),
    },
    "/api/v1/ideas/{idea_id}/merge": {"post": _op(
        "Merge this idea into another (stewards)", schema=_ref("Idea"),
        body={"type": "object", "required": ["target_id"], "properties": {"target_id": {"type": "integer"}}},
        params=[IDEA_ID], auth=True, tags=["lifecycle"])},
    "/api/v1/answers/due": {"get": _op("Shortlisted ideas awaiting an official answer", params=PAGE, tags=["lifecycle"])},
    "/api/v1/search": {"get": _op("Search ideas (and proposals) with facets and highlights", tags=["search"], params=[
        _q("q"), _q("type", {"type": "string", "enum": ["idea", "proposal"]}), _q("category"), _q("municipality"),
        _q("status"), *PAGE])},
    "/api/v1/parameters": {"get": _op("The lifecycle rules and their history", tags=["governance"])},
    "/api/v1/parameters/{key}": {"put": _op(
        "Change a rule (stewards)", body={"type": "object", "required": ["value", "reason"], "properties": {
            "value": {"type": "integer"}, "reason": {"type": "string", "minLength": 1, "maxLength": 500}}},
        params=[{"name": "key", "in": "path", "required": True, "schema": {"type": "string", "enum": [
            "SHORTLIST_SUPPORTS", "SUPPORT_WINDOW_DAYS", "ANSWER_DUE_DAYS"]}}], auth=True, tags=["governance"])},
    "/api/v1/me/notifications": {"get": _op("My notifications and the unread count",
                                            schema=_page_of("Notification"), params=PAGE, auth=True,
                                            tags=["notifications"])},
    "/api/v1/audit": {"get": _op(
        "The public log of decisions and transitions, newest first", schema=_page_of("AuditEntry"), params=[
            _q("subject_type", description="idea, proposal, membership, expert_application, parameter, ..."),
            _q("subject_id", {"type": "integer", "minimum": 1}), *PAGE], tags=["governance"])},
    "/api/v1/me/notifications/read": {"post": _op(
        "Mark one ({id}) or all notifications as read",
        body={"type": "object", "properties": {"id": {"type": "integer", "minimum": 1}}}, auth=True,
        tags=["notifications"])},
    "/api/v1/me/notification-settings": {"put": _op(
        "How notifications come by mail", body={"type": "object", "required": ["mode"], "properties": {
            "mode": {"type": "string", "enum": ["immediate", "daily", "off"]}}}, auth=True, tags=["notifications"])},
    "/api/v1/experts/applications": {"post": _op(
        "Apply to be a verified expert", "201", body=_obj(fields="string", affiliation="string", evidence="string"),
        auth=True, tags=["experts"])},
    "/api/v1/experts/applications/{application_id}/decision": {"post": _op(
        "Approve or decline (stewards)", body={"type": "object", "required": ["approve", "reason"], "properties": {
            "approve": {"type": "boolean"}, "reason": {"type": "string", "minLength": 1, "maxLength": 500}}},
        params=[_path("application_id")], auth=True, tags=["experts"])},
    "/api/v1/organizations": {
        "get": _op("Organizations", tags=["organizations"]),
        "post": _op("Register an organization", "201", body=_obj(name="string", kind="string", municipality="string"),
                    auth=True, tags=["organizations"]),
    },
    "/api/v1/organizations/{org_id}/memberships": {"post": _op(
        "Ask to represent an organization", "201", _ref("Membership"), params=[_path("org_id")], auth=True,
        tags=["organizations"])},
    "/api/v1/memberships/{membership_id}/confirm": {"post": _op(
        "Confirm a representative (stewards)", schema=_ref("Membership"), params=[_path("membership_id")], auth=True,
        tags=["organizations"])},
    "/api/v1/organizations/memberships/{membership_id}/decline": {"post": _op(
        "Decline a request to represent an organization, saying why (stewards)", schema=_ref("Membership"),
        body=_ref("Reason"), params=[_path("membership_id")], auth=True, tags=["organizations"])},
    "/api/v1/ideas/{idea_id}/adopt": {"post": _op(
        "Adopt a shortlisted idea (experts)", "201", _ref("Proposal"), params=[IDEA_ID], auth=True, tags=["proposals"])},
    "/api/v1/proposals": {"get": _op("Proposals", params=[_q("stage"), *PAGE], tags=["proposals"])},
    "/api/v1/proposals/{proposal_id}": {
        "get": _op("One proposal with team, milestones and terms", schema=_ref("Proposal"), params=[PROPOSAL_ID],
                   tags=["proposals"]),
        "patch": _op("Edit (lead expert)", schema=_ref("Proposal"), body=_obj(
            title="string", problem="string", solution="string", site="string", municipality="string",
            budget_amount="integer", expected_impact="string", risks="string"),
            params=[PROPOSAL_ID], auth=True, tags=["proposals"]),
    },
    "/api/v1/proposals/{proposal_id}/share-terms": {"put": _op(
        "Set the share terms in basis points (lead expert; refused once frozen)", schema=_ref("ShareTerms"),
        body=_obj(community_share_bp="integer", proposer_bp="integer", contributors_bp="integer",
                  backers_bp="integer", commons_bp="integer", backers_cap_multiple_bp="integer"),
        params=[PROPOSAL_ID], auth=True, tags=["proposals"])},
    "/api/v1/proposals/{proposal_id}/share-terms/freeze": {"post": _op(
        "Publish and freeze the share terms", schema=_ref("ShareTerms"), params=[PROPOSAL_ID], auth=True,
        tags=["proposals"])},
    "/api/v1/proposals/{proposal_id}/contributions": {"post": _op(
        "Record influence points (lead expert)", "201",
        body={"type": "object", "required": ["user_id", "kind", "points"], "properties": {
            "user_id": {"type": "integer"}, "kind": {"type": "string"},
            "points": {"type": "integer", "minimum": 1, "maximum": 1000},
            "description": {"type": "string", "maxLength": 500}}},
        params=[PROPOSAL_ID], auth=True, tags=["proposals"])},
    "/api/v1/contributions/{contribution_id}/confirm": {"post": _op(
        "Confirm one's contribution", params=[_path("contribution_id")], auth=True, tags=["proposals"])},
    "/api/v1/proposals/{proposal_id}/transition": {"post": _op(
        "Move to another stage", schema=_ref("Proposal"), body={"type": "object", "required": ["to"], "properties": {
            "to": {"type": "string", "enum": ["drafting", "review", "funding", "testbed", "market", "closed"]}}},
        params=[PROPOSAL_ID], auth=True,
        tags=["proposals"])},
    "/api/v1/proposals/{proposal_id}/team": {"post": _op(
        "Invite an organization or a person (lead expert)", "201",
        body=_obj(role="string", organization_id="integer", user_id="integer"), params=[PROPOSAL_ID], auth=True,
        tags=["proposals"])},
    "/api/v1/proposals/{proposal_id}/team/{member_id}/answer": {"post": _op(
        "Accept or decline an invitation", body={"type": "object", "required": ["accept"], "properties": {
            "accept": {"type": "boolean"}}}, params=[PROPOSAL_ID, _path("member_id")],
        auth=True, tags=["proposals"])},
    "/api/v1/proposals/{proposal_id}/milestones": {"post": _op(
        "Add a milestone", "201", body={"type": "object", "required": ["title", "due_on"], "properties": {
            "title": {"type": "string", "minLength": 2, "maxLength": 200},
            "due_on": {"type": "string", "format": "date", "description": "YYYY-MM-DD, today or later"}}},
        params=[PROPOSAL_ID], auth=True,
        tags=["proposals"])},
    "/api/v1/proposals/{proposal_id}/milestones/{milestone_id}": {"patch": _op(
        "Record a milestone's progress", body={"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "enum": ["planned", "in_progress", "done", "missed"]},
            "evidence": {"type": "string", "maxLength": 5000, "description": "required for done"}}},
        params=[PROPOSAL_ID, _path("milestone_id")], auth=True, tags=["proposals"])},
    "/api/v1/proposals/{proposal_id}/updates": {
        "get": _op("Progress updates", params=[PROPOSAL_ID], tags=["proposals"]),
        "post": _op("Post an update (team)", "201", body={"type": "object", "required": ["body"], "properties": {
            "body": {"type": "string", "minLength": 1, "maxLength": 20000, "description": "Markdown"}}},
            params=[PROPOSAL_ID], auth=True, tags=["proposals"]),
    },
    "/api/v1/proposals/{proposal_id}/replications": {"post": _op(
        "Ask to replicate in one's city", "201", body={
            "type": "object", "required": ["organization_id"],
            "properties": {"organization_id": {"type": "integer"}, "note": {"type": "string", "maxLength": 500}}},
        params=[PROPOSAL_ID], auth=True, tags=["proposals"])},
    "/api/v1/proposals/{proposal_id}/replications/{request_id}/accept": {"post": _op(
        "Accept a city (lead expert)", schema=_ref("Proposal"), params=[PROPOSAL_ID, _path("request_id")], auth=True,
        tags=["proposals"])},
}

# funding: rounds, matching pools, questions (app/api/rounds.py); pledges, portfolio, investor categories
# (app/api/pledges.py)
ROUND_ID, PLEDGE_ID = _path("round_id"), _path("pledge_id")
WON = {"type": "integer", "minimum": 1, "maximum": 10**13, "description": "whole won"}
ROUND_STATUS = ["draft", "approved", "open", "succeeded", "failed", "cancelled"]
PLEDGE_STATUS = ["created", "succeeded", "failed", "refund_pending", "refunded", "settled"]
KRW = {"type": "string", "enum": ["KRW"]}


def _when(description=""):
    return {"type": "string", "format": "date-time", "nullable": True, "description": description}


def _ints(*names, nullable=False):
    return {n: {"type": "integer", "nullable": True} if nullable else {"type": "integer"} for n in names}


def _nullable(name):
    return {"allOf": [_ref(name)], "nullable": True}


def _optional_body(op, schema):
    op["requestBody"] = {"required": False, "content": {"application/json": {"schema": schema}}}
    return op


def _with(op, status, schema, description):
    op["responses"][status] = _json(schema, description)
    return op


ROUND_TEXTS = {
    "offering_summary": {"type": "string", "minLength": 1, "maxLength": 5000,
                         "description": "what backers fund, and what they receive"},
    "risk_statement": {"type": "string", "minLength": 1, "maxLength": 10000,
                       "description": "backers acknowledge it (its version) before pledging"}}
ROUND_NUMBERS = {
    "target_amount": WON, "cap_amount": {**WON, "description": "whole won, at least the target"},
    "unit_price": {**WON, "description": "won per unit, at most the target"},
    "min_units": {"type": "integer", "minimum": 1, "maximum": 10**9, "description": "smallest pledge (default 1)"},
    "opens_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with offset (none: UTC)"},
    "closes_at": {"type": "string", "format": "date-time", "description": "7 to 60 days after opens_at"}}

FUNDING_SCHEMAS = {
    "Room": {"type": "object", "description": "a backer's limits and what is left (null: no limit)", "properties": {
        "category": {"type": "string", "enum": ["general", "qualified", "professional"]},
        **_ints("per_proposal_limit_amount", "per_year_limit_amount", "per_proposal_left_amount",
                "per_year_left_amount", "left_amount", nullable=True),
        **_ints("per_proposal_used_amount", "per_year_used_amount"),
        "left_units": {"type": "integer", "description": "units that still fit under the limits and the cap"},
        "currency": KRW}},
    "MatchingPool": {"type": "object", "properties": {
        **_ints("id", "round_id", "factor_bp", "pledge_cap_amount", "round_cap_amount", "deposit_amount",
                "reserved_amount", "matched_amount", "left_amount"),
        "organization": {"type": "object"},
        "status": {"type": "string", "enum": ["awaiting_deposit", "active", "closed", "cancelled"]},
        "status_label": {"type": "string"}, "deposited_at": _when(), "closed_at": _when(),
        "created_at": {"type": "string", "format": "date-time"}, "currency": KRW}},
    "MatchingPoolInput": {"type": "object", "required": ["organization_id", "factor_bp", "pledge_cap_amount",
                                                         "round_cap_amount"], "properties": {
        "organization_id": {"type": "integer", "description": "an organization the caller represents"},
        "factor_bp": {"type": "integer", "minimum": 1, "maximum": 100000, "description": "10000 = 1:1"},
        "pledge_cap_amount": WON, "round_cap_amount": {**WON, "description": "also the deposit asked for"}}},
    "RoundSummary": {"type": "object", "properties": {
        **_ints("id", "target_amount", "cap_amount", "unit_price", "min_units", "raised_amount", "committed_amount",
                "matched_amount", "backer_count", "percent_of_target"),
        "proposal": _ref("ProposalRef"), "status": {"type": "string", "enum": ROUND_STATUS},
        "status_label": {"type": "string"}, "opens_at": {"type": "string", "format": "date-time"},
        "closes_at": {"type": "string", "format": "date-time"},
        "seconds_left": {"type": "integer", "description": "until closes_at (0 once closed)"}, "currency": KRW}},
    "Round": {"allOf": [_ref("RoundSummary"), {"type": "object", "properties": {
        **ROUND_TEXTS, **_ints("risk_version", "needed_amount", "room_amount", "units_left", "fee_amount"),
        "cancel_until": {"type": "string", "format": "date-time", "description": "pledges cancel until then"},
        "share_terms": {"allOf": [_ref("ShareTerms")], "nullable": True},
        "matching_pools": {"type": "array", "items": _ref("MatchingPool")},
        "my_room": {**_nullable("Room"), "description": "the signed-in viewer's room; null for visitors"},
        "permissions": {"type": "object", "additionalProperties": {"type": "boolean"}},
        "approved_at": _when(), "opened_at": _when(), "closed_at": _when(), "settled_at": _when(),
        "created_at": {"type": "string", "format": "date-time"}}}]},
    "RoundInput": {"type": "object", "required": ["target_amount", "cap_amount", "unit_price", "opens_at",
                                                  "closes_at", "offering_summary", "risk_statement"],
                   "properties": {**ROUND_NUMBERS, **ROUND_TEXTS}},
    "RoundPatch": {"type": "object", "additionalProperties": False, "properties": {**ROUND_NUMBERS, **ROUND_TEXTS},
                   "description": "any RoundInput fields; the others keep their values"},
    "Pledge": {"type": "object", "properties": {
        **_ints("id", "round_id", "units", "amount"), "proposal": _ref("ProposalRef"), "currency": KRW,
        "status": {"type": "string", "enum": PLEDGE_STATUS}, "status_label": {"type": "string"},
        "investor_category": {"type": "string", "enum": ["general", "qualified", "professional"]},
        "refund_reason": {"type": "string", "nullable": True, "enum": [
            "cancelled", "round_failed", "round_cancelled", "late_payment", "outside", None]},
        "last_error": {"type": "string", "nullable": True, "description": "the decline or refund error"},
        "cancellable": {"type": "boolean"}, "cancel_until": {"type": "string", "format": "date-time"},
        "created_at": {"type": "string", "format": "date-time"}, "succeeded_at": _when(), "failed_at": _when(),
        "cancel_requested_at": _when(), "refunded_at": _when(), "settled_at": _when(),
        "matches": {"type": "array", "items": {"type": "object", "properties": {
            **_ints("pool_id", "units", "amount"), "organization": {"type": "object"},
            "status": {"type": "string", "enum": ["reserved", "paid", "released", "reversed", "settled"]},
            "currency": KRW}}}}},
    "PledgeInput": {"type": "object", "required": ["units", "payment_method", "investor_category",
                                                   "risk_acknowledged"], "properties": {
        "units": {"type": "integer", "minimum": 1, "maximum": 10**9, "description": "whole units"},
        "payment_method": {"type": "string", "minLength": 4, "maxLength": 100, "pattern": "^(pm|card|src)_[A-Za-z0-9_]+$",
                           "description": "a PaymentMethod id from Stripe.js, or a test card such as pm_card_visa"},
        "investor_category": {"type": "string", "enum": ["general", "qualified", "professional"],
                              "description": "above general only once a steward verified it"},
        "risk_acknowledged": {"type": "boolean", "enum": [True]}}},
    "PledgeDeclined": {"type": "object", "properties": {"error": {"type": "object", "required": ["code", "message"],
                                                                  "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "pledge_id": {"type": "integer", "description": "the failed pledge, recorded"},
        "pledge": _ref("Pledge"),
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}}},
    "Holding": {"type": "object", "properties": {
        "proposal": _ref("ProposalRef"), **_ints("units", "invested_amount", "refunded_amount", "in_escrow_amount"),
        "currency": KRW, "pledges": {"type": "array", "items": _ref("Pledge")}}},
    "CategoryRequest": {"type": "object", "properties": {
        "id": {"type": "integer"}, "user": _ref("UserPublic"),
        "requested_category": {"type": "string", "enum": ["qualified", "professional"]},
        "evidence": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "verified", "declined"]},
        "status_label": {"type": "string"}, "reason": {"type": "string", "nullable": True},
        "created_at": {"type": "string", "format": "date-time"}, "decided_at": _when()}},
    "Limits": {"type": "object", "properties": {
        "category": {"type": "string", "enum": ["general", "qualified", "professional"]},
        **_ints("per_proposal_limit_amount", "per_year_limit_amount", nullable=True), "currency": KRW}},
    "Investor": {"allOf": [_ref("Limits"), {"type": "object", "properties": {
        "per_year_used_amount": {"type": "integer"},
        "per_year_left_amount": {"type": "integer", "nullable": True},
        "latest_request": _nullable("CategoryRequest"),
        "categories": {"type": "array", "items": _ref("Limits")}}}]},
    "Question": {"type": "object", "properties": {
        **_ints("id", "round_id"), "author": _ref("UserPublic"), "body": {"type": "string"},
        "answer": {"type": "string", "nullable": True}, "answered_by": _nullable("UserPublic"),
        "answered_at": _when(), "created_at": {"type": "string", "format": "date-time"}}},
}
SCHEMAS.update(FUNDING_SCHEMAS)

OPTIONAL_REASON = {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 2000}}}
ROUND_REASON = {"type": "object", "required": ["reason"], "properties": {
    "reason": {"type": "string", "minLength": 1, "maxLength": 2000}}}
FUNDING_PATHS = {
    "/api/v1/rounds": {"get": _op(
        "Rounds: open first by closing time, then the rest newest first (drafts: stewards, ?status=draft)",
        schema=_page_of("RoundSummary"), params=[_q("status", {"type": "string", "enum": ROUND_STATUS}), *PAGE],
        tags=["funding"])},
    "/api/v1/rounds/{round_id}": {
        "get": _op("A round: progress, time left, terms, matching pools and, signed in, my room under my limits "
                   "(drafts: the lead expert and stewards only)", schema=_ref("Round"), params=[ROUND_ID],
                   tags=["funding"]),
        "patch": _op("Edit a draft (lead expert); a new risk statement is a new version", schema=_ref("Round"),
                     body=_ref("RoundPatch"), params=[ROUND_ID], auth=True, tags=["funding"]),
    },
    "/api/v1/proposals/{proposal_id}/rounds": {"post": _op(
        "Draft a round of a proposal in the funding stage, on its frozen share terms (lead expert)", "201",
        _ref("Round"), _ref("RoundInput"), [PROPOSAL_ID, IDEMPOTENCY], True, ["funding"])},
    "/api/v1/rounds/{round_id}/approve": {"post": _optional_body(_op(
        "Approve a draft (a steward who is not a party); it opens at opens_at", schema=_ref("Round"),
        params=[ROUND_ID], auth=True, tags=["funding"]), OPTIONAL_REASON)},
    "/api/v1/rounds/{round_id}/return": {"post": _op(
        "Back to draft, saying why (the lead expert, or a steward asking for changes)", schema=_ref("Round"),
        body=ROUND_REASON, params=[ROUND_ID], auth=True, tags=["funding"])},
    "/api/v1/rounds/{round_id}/open": {"post": _op(
        "Open an approved round now (lead expert or steward); opened early, it runs from now",
        schema=_ref("Round"), params=[ROUND_ID], auth=True, tags=["funding"])},
    "/api/v1/rounds/{round_id}/cancel": {"post": _optional_body(_op(
        "Cancel: a round not open yet (lead expert or steward, with a reason; the lead may withdraw their own draft "
        "without one), or an open one (a steward who is not a party, with a reason): every pledge is refunded and "
        "the pools' deposits go back",
        schema=_ref("Round"), params=[ROUND_ID], auth=True, tags=["funding"]), OPTIONAL_REASON)},
    "/api/v1/rounds/{round_id}/close": {"post": _op(
        "Close a round whose time is up, or finish a closing (stewards; as flask rounds close-due): funded rounds "
        "settle into the treasury, others refund every pledge; 409 not_due before closes_at",
        schema=_ref("Round"), params=[ROUND_ID], auth=True, tags=["funding"])},
    "/api/v1/rounds/{round_id}/pledges": {"post": _with(_with(_op(
        "Pledge whole units, charged at once into the round's escrow (verified users, not the team). 422 "
        "card_declined records the failed pledge (its id in the error); over_cap, over_limit, round_not_open and "
        "category_not_verified are refused with nothing charged", "201", _ref("Pledge"), _ref("PledgeInput"),
        [ROUND_ID, IDEMPOTENCY], True, ["funding"]),
        "202", _ref("Pledge"), "The processor has not answered for sure: the pledge is processing"),
        "422", _ref("PledgeDeclined"), "Refused (the card declined: the failed pledge is in the error)")},
    "/api/v1/pledges/{pledge_id}": {"get": _op(
        "One of my pledges, with its matches (anyone else's: 404)", schema=_ref("Pledge"), params=[PLEDGE_ID],
        auth=True, tags=["funding"])},
    "/api/v1/pledges/{pledge_id}/cancel": {"post": _op(
        "Cancel my pledge and get the money back, until 48 hours before the round closes (409 after, or twice)",
        schema=_ref("Pledge"), params=[PLEDGE_ID], auth=True, tags=["funding"])},
    "/api/v1/me/portfolio": {"get": _op(
        "My holdings per proposal: units, won invested, refunded and in escrow, and my pledges",
        schema={"type": "object", "properties": {"items": {"type": "array", "items": _ref("Holding")}}},
        auth=True, tags=["funding"])},
    "/api/v1/me/investor": {"get": _op(
        "My verified investor category, its limits in won, what is left over 12 months, my latest request",
        schema=_ref("Investor"), auth=True, tags=["funding"])},
    "/api/v1/me/investor-category-requests": {"post": _op(
        "Ask to count as a qualified or professional investor; a steward checks the evidence", "201",
        _ref("CategoryRequest"), {"type": "object", "required": ["category", "evidence"], "properties": {
            "category": {"type": "string", "enum": ["qualified", "professional"]},
            "evidence": {"type": "string", "minLength": 10, "maxLength": 5000}}}, [IDEMPOTENCY], True, ["funding"])},
    "/api/v1/investor-category-requests": {"get": _op(
        "Category requests waiting for a steward, oldest first (stewards)",
        schema={"type": "object", "properties": {"items": {"type": "array", "items": _ref("CategoryRequest")}}},
        auth=True, tags=["funding"])},
    "/api/v1/investor-category-requests/{request_id}/decision": {"post": _op(
        "Verify (the category counts from now) or decline, with a reason (a steward who is not the backer)",
        schema=_ref("CategoryRequest"), body={"type": "object", "required": ["approve", "reason"], "properties": {
            "approve": {"type": "boolean"}, "reason": {"type": "string", "minLength": 1, "maxLength": 500}}},
        params=[_path("request_id")], auth=True, tags=["funding"])},
    "/api/v1/rounds/{round_id}/matching-pools": {"post": _op(
        "Offer to match citizens' pledges (a confirmed representative of the organization): a pool awaiting its "
        "deposit", "201", _ref("MatchingPool"), _ref("MatchingPoolInput"), [ROUND_ID, IDEMPOTENCY], True,
        ["funding"])},
    "/api/v1/matching-pools/{pool_id}/deposit": {"post": _op(
        "Record that the deposit arrived (a steward who is not a party); the pool starts matching",
        schema=_ref("MatchingPool"), body={"type": "object", "required": ["reference"], "properties": {
            "reference": {"type": "string", "minLength": 2, "maxLength": 120}}}, params=[_path("pool_id")],
        auth=True, tags=["funding"])},
    "/api/v1/rounds/{round_id}/questions": {
        "get": _op("Backers' questions and the team's answers, oldest first", schema=_page_of("Question"),
                   params=[ROUND_ID, *PAGE], tags=["funding"]),
        "post": _op("Ask the team a public question (verified users)", "201", _ref("Question"),
                    {"type": "object", "required": ["body"], "properties": {
                        "body": {"type": "string", "minLength": 5, "maxLength": 2000}}},
                    [ROUND_ID, IDEMPOTENCY], True, ["funding"]),
    },
    "/api/v1/questions/{question_id}/answer": {"post": _op(
        "Answer a question, once (the team)", schema=_ref("Question"), body={
            "type": "object", "required": ["answer"], "properties": {
                "answer": {"type": "string", "minLength": 2, "maxLength": 5000}}},
        params=[_path("question_id")], auth=True, tags=["funding"])},
}
PATHS.update(FUNDING_PATHS)


DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "GOPS API", "version": "1.0.0",
             "description": "Gyeonggi Open Platform for SmartCity. Money is integer won; errors are "
                            "{\"error\": {\"code\", \"message\", \"fields\"}}."},
    "servers": [{"url": "/"}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "responses": {"Error": _json(_ref("Error"), "Error")},
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                        "description": "A browser session cookie plus its CSRF token"},
        },
    },
}


@bp.get("/openapi.json")
def openapi_document():
    """Serve the OpenAPI document."""
    return jsonify(DOCUMENT)
