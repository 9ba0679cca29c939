"""The documentation stays short where it should and true to the tree.

README.md stays short; every link and every backticked repository path in
README.md, docs/*.md and configs/**/README.md exists; no tracked file cites
a document outside the repository; the model-zoo tables and the metafile
name exactly the configs there are. Plain file reading: no torch.
"""
import glob
import os
import os.path as osp
import re
import subprocess

import pytest
import yaml

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
ALGORITHM_FOLDERS = ('pixpro', 'pixcontrast', 'byol')
PATH_PREFIXES = ('configs/', 'tools/', 'mmpixpro/', 'docs/', 'speed/',
                 'tests/')
# Folders the tools write into (git-ignored): the docs may name them.
OUTPUT_FOLDERS = ('speed/results/', )
# Patterns, not paths: {a,b}, *, <name>, ...
NOT_A_PATH = re.compile(r'[{}*<>\[\]]|\.\.\.')
LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)\)')
CODE = re.compile(r'```.*?```|`[^`\n]+`', re.S)
RECIPE_CITATION = re.compile(
    r'docs/recipe\.md,?\s*\(?((?:"[^"]+"\s*(?:,|and)?\s*)+)')
EXTERNAL_CITATION = re.compile(
    r'pixpro-reference|sections? \d+( (to|and) \d+)? of the reference', re.I)


def markdown_files():
    files = [osp.join(REPO, 'README.md')]
    files += sorted(glob.glob(osp.join(REPO, 'docs', '*.md')))
    files += sorted(
        glob.glob(osp.join(REPO, 'configs', '**', 'README.md'),
                  recursive=True))
    return files


def rel(path):
    return osp.relpath(path, REPO)


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def repo_paths(text):
    """Words inside code spans and blocks that name a repository path."""
    for span in CODE.findall(text):
        for word in re.split(r'[\s`=(),;"\']+', span):
            word = word.split('::')[0].rstrip('.:')
            if not word.startswith(PATH_PREFIXES) or NOT_A_PATH.search(word):
                continue
            yield word


def zoo_configs(readme):
    """Backticked config paths in the first column of the README's tables
    under '## Models and results'."""
    text = read(readme).split('## Models and results', 1)
    assert len(text) == 2, f'{rel(readme)}: no "## Models and results"'
    section = text[1].split('\n## ', 1)[0]
    cells = re.findall(r'^\|\s*`([^`]+\.py)`\s*\|', section, re.M)
    return cells


def test_readme_is_short():
    lines = read(osp.join(REPO, 'README.md')).splitlines()
    assert len(lines) <= 160, f'README.md has {len(lines)} lines'


def test_readme_keeps_the_two_commands():
    text = read(osp.join(REPO, 'README.md'))
    assert 'bash tools/run_main_job.sh' in text
    assert 'bash tools/run_tests.sh' in text
    assert 'tools/dist_train.sh configs/pixpro/pixpro_r50_8xb128.py 8' in text


@pytest.mark.parametrize('md', markdown_files(), ids=rel)
def test_links_exist(md):
    missing = []
    for target in LINK.findall(read(md)):
        if re.match(r'[a-z]+:', target) or target.startswith('#'):
            continue
        path = osp.normpath(osp.join(osp.dirname(md), target.split('#')[0]))
        if not osp.exists(path):
            missing.append(target)
    assert not missing, f'{rel(md)} links to missing files: {missing}'


@pytest.mark.parametrize('md', markdown_files(), ids=rel)
def test_backticked_paths_exist(md):
    named = set(repo_paths(read(md)))
    missing = sorted(p for p in named if not p.startswith(OUTPUT_FOLDERS)
                     and not osp.exists(osp.join(REPO, p)))
    assert not missing, f'{rel(md)} names missing paths: {missing}'


def test_index_links_every_page():
    index = osp.join(REPO, 'docs', 'index.md')
    targets = [t.split('#')[0] for t in LINK.findall(read(index))]
    linked = {osp.normpath(osp.join(REPO, 'docs', t)) for t in targets}
    pages = set(glob.glob(osp.join(REPO, 'docs', '*.md'))) - {index}
    assert pages <= linked, sorted(rel(p) for p in pages - linked)


def test_path_finder_reads_spans_and_blocks():
    """The path finder itself, on a made-up page."""
    text = ('See `configs/a.py`, `tools/x.sh CONFIG 8` and '
            '`tests/t.py::test_y[1]`; not `CONFIG` nor `configs/{a,b}.py`.\n'
            '```bash\npython tools/b.py configs/.../c.py --out=docs/d.md\n'
            '```\n')
    assert list(repo_paths(text)) == [
        'configs/a.py', 'tools/x.sh', 'tests/t.py', 'tools/b.py', 'docs/d.md'
    ]


def tracked_text_files():
    try:
        out = subprocess.run(['git', 'ls-files', '-z'],
                             cwd=REPO,
                             capture_output=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip('not a git checkout')
    for name in out.decode().split('\0'):
        if name and name != 'tests/test_docs.py':
            yield name


def test_no_citation_of_documents_outside_the_repository():
    offenders = []
    for name in tracked_text_files():
        path = osp.join(REPO, name)
        if not osp.isfile(path):
            continue  # deleted in the working tree
        with open(path, 'rb') as f:
            data = f.read()
        if b'\0' in data:
            continue  # binary
        text = data.decode('utf-8', errors='replace')
        for number, line in enumerate(text.splitlines(), 1):
            if EXTERNAL_CITATION.search(line):
                offenders.append(f'{name}:{number}: {line.strip()}')
    assert not offenders, ('cite docs/recipe.md instead:\n' +
                           '\n'.join(offenders))


def recipe_headings():
    text = read(osp.join(REPO, 'docs', 'recipe.md'))
    return set(re.findall(r'^## (.+?)\s*$', text, re.M))


def test_recipe_has_the_cited_sections():
    assert recipe_headings() == {
        'Model', 'Positive pixel pairs', 'Loss', 'Instance branch', 'Data',
        'Optimisation', 'Released checkpoints', 'Published transfer results',
        'Other backbones'
    }


def cited_recipe_sections(text):
    """Headings cited as docs/recipe.md, "A" (or ("A", "B and C")), also
    across comment lines."""
    text = re.sub(r'\n\s*(?:#+|//)?\s*', ' ', text)
    for group in RECIPE_CITATION.findall(text):
        for heading in re.findall(r'"([^"]+)"', group):
            yield ' '.join(heading.split())


def test_recipe_citations_name_its_sections():
    headings = recipe_headings()
    wrong = []
    for name in tracked_text_files():
        path = osp.join(REPO, name)
        if not osp.isfile(path) or not name.endswith(('.py', '.md', '.sh')):
            continue
        for heading in cited_recipe_sections(read(path)):
            if heading not in headings:
                wrong.append(f'{name}: "{heading}"')
    assert not wrong, f'no such section of docs/recipe.md: {wrong}'


def test_recipe_citation_finder():
    text = ('x (docs/recipe.md, "Positive pixel\n    # pairs") and\n'
            'docs/recipe.md ("Model", "Loss", "Instance\nbranch").')
    assert list(cited_recipe_sections(text)) == [
        'Positive pixel pairs', 'Model', 'Loss', 'Instance branch'
    ]


def test_citation_pattern():
    for line in ('see ../shared/pixpro-reference.md',
                 '(Section 7 of the reference)',
                 'sections 1 to 3 of the reference recipe'):
        assert EXTERNAL_CITATION.search(line), line
    assert not EXTERNAL_CITATION.search('(docs/recipe.md, "Loss")')


def algorithm_configs(folder):
    return sorted(
        rel(p)
        for p in glob.glob(osp.join(REPO, 'configs', folder, '**', '*.py'),
                           recursive=True)
        if '_base_' not in rel(p).split(os.sep))


@pytest.mark.parametrize('folder', ALGORITHM_FOLDERS + ('benchmarks', ))
def test_model_zoo_table_lists_the_folder(folder):
    readme = osp.join(REPO, 'configs', folder, 'README.md')
    listed = zoo_configs(readme)
    assert listed, f'{rel(readme)}: empty model-zoo table'
    missing = [p for p in listed if not osp.isfile(osp.join(REPO, p))]
    assert not missing, f'{rel(readme)} lists missing configs: {missing}'
    unlisted = sorted(set(algorithm_configs(folder)) - set(listed))
    assert not unlisted, f'{rel(readme)} does not list {unlisted}'


def test_implementation_table_names_what_the_modules_define():
    """Each name in the third column of docs/implementation.md's module
    table is defined (def, class or assignment) in that row's modules."""
    text = read(osp.join(REPO, 'docs', 'implementation.md'))
    wrong = []
    for row in re.findall(r'^\|[^|\n]+\|([^|\n]+)\|([^|\n]+)\|$', text, re.M):
        paths = re.findall(r'`(mmpixpro/[^`]+)`', row[0])
        names = re.findall(r'`([A-Za-z_][A-Za-z0-9_]*)`', row[1])
        files = []
        for path in paths:
            full = osp.join(REPO, path)
            files += (sorted(
                glob.glob(osp.join(full, '**', '*.py'), recursive=True))
                      if osp.isdir(full) else [full])
        source = '\n'.join(read(f) for f in files if osp.isfile(f))
        for name in names:
            if not re.search(rf'^(def|class) {name}\b|^{name} = ', source,
                             re.M):
                wrong.append(f'{name} in {paths}')
    assert not wrong, f'docs/implementation.md: not defined: {wrong}'


def test_test_layout_lists_every_folder_once():
    """docs/tests.md's layout table: each test folder of tests/, once."""
    text = read(osp.join(REPO, 'docs', 'tests.md'))
    section = text.split('## Layout', 1)[1].split('\n## ', 1)[0]
    listed = re.findall(r'^\|\s*`(tests/[^`]+)`', section, re.M)
    assert len(listed) == len(set(listed)), sorted(listed)
    folders = {
        rel(osp.dirname(p))
        for p in glob.glob(osp.join(REPO, 'tests', '*', 'test_*.py'))
    }
    assert folders <= set(listed), sorted(folders - set(listed))


def test_metafile():
    path = osp.join(REPO, 'configs', 'pixpro', 'metafile.yml')
    with open(path, encoding='utf-8') as f:
        meta = yaml.safe_load(f)
    collections = {c['Name'] for c in meta['Collections']}
    for c in meta['Collections']:
        assert osp.isfile(osp.join(REPO, c['README']))
    configs = []
    for model in meta['Models']:
        assert model['In Collection'] in collections, model['Name']
        assert osp.isfile(osp.join(REPO, model['Config'])), model['Config']
        assert osp.splitext(osp.basename(model['Config']))[0] == model['Name']
        configs.append(model['Config'])
        for result in model.get('Results') or []:
            assert result['Metrics'] and all(
                isinstance(v, (int, float))
                for v in result['Metrics'].values()), model['Name']
    assert len(configs) == len(set(configs))
    # Every config the README's table gives a paper number for has one here.
    assert set(configs) >= {
        'configs/pixpro/pixpro_r50_8xb128.py',
        'configs/pixpro/pixpro_r50_8xb128-400e.py',
        'configs/pixpro/pixpro-ins_r50_8xb128.py'
    }
