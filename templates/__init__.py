# Packaged Jinja templates and CSS (installed as kamreport.templates).
