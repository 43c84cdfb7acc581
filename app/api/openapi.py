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
