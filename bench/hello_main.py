"""The baseline for bench/survey.py: the smallest functions-framework function."""


def hello(request):
    return "hello"
