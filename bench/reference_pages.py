"""Minimal Jinja pages of the reference app (bench/reference_app.py): the same facts as GOPS's pages, no layout.

Not a script.
"""
HEAD = '<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>'
FOOT = "</body></html>"

TEMPLATES = {
    "ideas": HEAD.replace("{{ title }}", "아이디어") + """
<h1>아이디어</h1>
<ol>
{% for i in ideas %}
  <li><span>{{ i.support_count }} 지지</span>
    <h2><a href="/ideas/{{ i.id }}">{{ i.title }}</a></h2>
    <p>{{ i.summary }}</p>
    <p>{{ i.status }} · {{ i.category.name_ko }} · {{ i.municipality.name_ko }} · {{ i.display_name }} ·
      <time>{{ (i.created_at|string)[:10] }}</time> · 댓글 {{ i.comment_count }}</p></li>
{% endfor %}
</ol>
<nav>{% if page > 1 %}<a href="?page={{ page - 1 }}">이전</a>{% endif %}
{% if more %}<a href="?page={{ page + 1 }}">다음</a>{% endif %}</nav>
""" + FOOT,
    "idea": HEAD.replace("{{ title }}", "{{ idea.title }}") + """
<article><p>{{ idea.status }} · {{ idea.category.name_ko }} · {{ idea.municipality.name_ko }}</p>
<h1>{{ idea.title }}</h1><p>{{ idea.summary }}</p>
<p>{{ idea.display_name }} · {{ (idea.created_at|string)[:16] }} · {{ idea.support_count }} 지지</p>
{% for paragraph in idea.body.split("\\n\\n") %}<p>{{ paragraph }}</p>{% endfor %}
</article>
{% if answer %}<section><h2>공식 답변</h2><p>{{ answer.body }}</p></section>{% endif %}
<section><h2>댓글 {{ idea.comment_count }}</h2>
{% for c, replies in threads %}
  <div><p>{{ c.display_name }}: {{ c.body }}</p>
  {% for r in replies %}<blockquote>{{ r.display_name }}: {{ r.body }}</blockquote>{% endfor %}</div>
{% endfor %}</section>
""" + FOOT,
    "proposals": HEAD.replace("{{ title }}", "제안") + """
<h1>제안</h1>
<ul>{% for p in proposals %}
  <li><a href="/proposals/{{ p.id }}">{{ p.title }}</a> {{ p.stage }} · {{ p.municipality.name_ko }} ·
    {{ p.display_name }} · {{ p.support_count }} 지지 · {{ (p.created_at|string)[:10] }}</li>
{% endfor %}</ul>
""" + FOOT,
    "answers": HEAD.replace("{{ title }}", "공식 답변") + """
<h1>공식 답변</h1>
<table>{% for i in waiting %}
  <tr><td><a href="/ideas/{{ i.id }}">{{ i.title }}</a> {{ i.municipality.name_ko }} · {{ i.support_count }} 지지</td>
    <td>{{ (i.shortlisted_at|string)[:10] }}</td><td>{{ (i.answer_due_at|string)[:10] }}</td>
    <td>{% if i.overdue_days >= 0 %}{{ i.overdue_days }}일 지남{% else %}{{ -i.overdue_days }}일 남음{% endif %}</td></tr>
{% endfor %}</table>
<ul>{% for a in answered %}
  <li><a href="/ideas/{{ a.idea_id }}#answer">{{ a.title }}</a> {{ (a.created_at|string)[:10] }}</li>
{% endfor %}</ul>
""" + FOOT,
    "search": HEAD.replace("{{ title }}", "검색") + """
<form><input name="q" value="{{ q }}"></form>
<ol>{% for h in hits %}<li><a href="/ideas/{{ h.id }}">{{ h.title }}</a><p>{{ h.summary }}</p></li>{% endfor %}</ol>
""" + FOOT,
}
