#!/usr/bin/env python3
"""Shares of a JMH benchmark thread's JFR execution samples, as benchmarks/README.md reports them.

usage: benchmarks/jfr-shares.py event|call <profile.jfr>

event: each sample goes to one group by the frame on top of its stack (chunk timing: by
       LlmCall.onContentChunk anywhere in the stack).
call:  each sample goes to the first group whose method is anywhere in its stack.
Needs the JDK's `jfr` tool on the PATH.
"""
import collections
import json
import subprocess
import sys


def frames(path):
    # The whole stack (JMH records 64 frames); jfr print shows only 5 unless asked.
    out = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '64', '--events',
                          'jdk.ExecutionSample', path],
                         capture_output=True, text=True, check=True).stdout
    for event in json.loads(out)['recording']['events']:
        values = event['values']
        if 'jmh-worker' not in ((values.get('sampledThread') or {}).get('javaName') or ''):
            continue
        stack = [f['method']['type']['name'].split('/')[-1] + '.' + f['method']['name']
                 for f in values['stackTrace']['frames']]
        if stack:
            yield stack


def event_group(stack):
    top = stack[0]
    if 'LlmCall.onContentChunk' in stack:
        return 'content-chunk timing (LlmCall.onContentChunk, inclusive)'
    if top.startswith('RepeatedEvents.') or top.startswith('ArraysSupport.') \
            or top.startswith('Arrays.mismatch'):
        return 'repeat check (RepeatedEvents.*, Arrays.mismatch)'
    if top == 'JsonTokenizer.replay':
        return 'replay of a repeat (JsonTokenizer.replay)'
    if top.startswith('JsonTokenizer.'):
        return 'tokenizer (JsonTokenizer.*)'
    if top.startswith('FieldNames.'):
        return 'field names (FieldNames.*)'
    if top.startswith('JsonWalker.') or 'Reader.' in top:
        return 'walker and reader'
    if top.startswith('SseDecoder.'):
        return 'SSE decoder (SseDecoder.*)'
    if top.startswith('VarHandle') or top.startswith('Unsafe.'):
        return 'eight-byte reads (VarHandle, inlined)'
    return 'other'


CALL_GROUPS = [
    ('response JSON scan (ResponseScanner.feed)', {'ResponseScanner.feed'}),
    ('request facts (RequestFacts.of)', {'RequestFacts.of'}),
    ('rate-limit headers (Binding.rateLimits)', {'Binding.rateLimits'}),
    ('the one header pass (ResponseHeaders.<init>)',
     {'LlmMetricsInterceptor$ResponseHeaders.<init>'}),
    ('LlmCall.finish (recording)', {'LlmCall.finish'}),
    ('startCall + LlmCall.<init> (series look-up)', {'LlmMetrics.startCall', 'LlmCall.<init>'}),
]


def call_group(stack):
    present = set(stack)
    for name, methods in CALL_GROUPS:
        if present & methods:
            return name
    return 'rest (OkHttp, the app, JMH, the rest of LLM Pulse)'


def main():
    kind, path = sys.argv[1], sys.argv[2]
    group = event_group if kind == 'event' else call_group
    counts = collections.Counter(group(stack) for stack in frames(path))
    total = sum(counts.values())
    print('samples', total)
    for name, n in counts.most_common():
        print(f'{name}: {100 * n / total:.1f} %')


if __name__ == '__main__':
    main()
