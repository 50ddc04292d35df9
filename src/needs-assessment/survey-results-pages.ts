import type { Request, Response } from 'express';
import { z } from 'zod';
import { mayReadIdentifiedAnswers, policies } from '../auth/access-policy.js';
import { enumLabel } from '../i18n/enum-labels.js';
import { toCsv } from '../shared/csv.js';
import { labelled } from '../shared/error-messages.js';
import { isIsoDate, type IsoDate } from '../shared/dates.js';
import { isAppError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { formText } from '../web/forms.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { notify } from '../web/notice.js';
import { renderPage, submitForm } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import type { CampaignResults, OptionShare, ResultFigure } from './results-types.js';
import { HSE_DOMAINS, type HseDomain } from './scoring.js';
import { barChartSvg } from './survey-charts.js';
import { decimal, figureText, groupNames, pageLang, percent, populationText, rateText } from './survey-page-words.js';
import { surveyInLanguage, type SurveyItem, type SurveyQuestionnaire } from './survey-questionnaire.js';
import type { CampaignSummary } from './survey-service.js';
import type { SurveyAction } from './survey-types.js';

/*
 * A campaign's page (issue 17 §6, §7, §8): what was asked of whom, its results with small-number suppression
 * (CONF-5) as tables with charts beside them, the CSV of every figure suppressed exactly as shown, and the team's
 * action plan (NA-7). Labels come from the questionnaire in the reader's language and the locale files.
 */

const idParam = z.object({ id: z.uuid() });
const actionParam = z.object({ id: z.uuid(), actionId: z.uuid() });
const groupQuery = z.object({ group: z.string().max(60).optional() });

const F = (name: string) => `surveys.fields.${name}`;
const actionForm = z.object({
  topic: labelled(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/), F('topic')),
  description: labelled(z.string().trim().min(1).max(2000), F('description')),
  ownerPersonId: labelled(z.uuid(), F('owner')),
  dueOn: labelled(z.string(), F('dueOn'))
    .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && isIsoDate(v), { message: `validation.realDate@${F('dueOn')}` })
    .transform((v) => v as IsoDate),
  groupKey: z.string().max(60).optional(),
});
const ACTION_FIELDS = ['topic', 'description', 'ownerPersonId', 'dueOn'];

const isDomain = (topic: string): topic is HseDomain => (HSE_DOMAINS as readonly string[]).includes(topic);

/** The questions of a questionnaire by linkId (in the reader's language). */
function itemsOf(q: SurveyQuestionnaire): Map<string, SurveyItem> {
  return new Map(q.pages.flatMap((p) => p.items.map((i) => [i.linkId, i] as const)));
}

/** The results of a campaign, or why they cannot be shown for the group asked for (never a crash). */
async function readResults(
  deps: AppDependencies,
  req: Request,
  id: string,
  group: string | undefined,
): Promise<{ results: CampaignResults | null; refused: string | null }> {
  try {
    return { results: await deps.services.surveys.results(requestContext(req), id, group), refused: null };
  } catch (error) {
    if (isAppError(error) && error.code === 'group-too-small')
      return { results: null, refused: req.t('surveys.results.groupRefused') };
    if (isAppError(error) && error.status === 422)
      return { results: null, refused: req.t('surveys.results.noSuchGroup') };
    throw error;
  }
}

/** Every figure's label in words, keyed by its code (the CSV's second column). */
function figureLabels(
  req: Request,
  r: CampaignResults,
  q: SurveyQuestionnaire,
  names: Map<string, string>,
): Map<string, string> {
  const t = req.t.bind(req);
  const items = itemsOf(q);
  const labels = new Map<string, string>([['responses', t('surveys.csv.responses')]]);
  const option = (linkId: string, code: string) =>
    items.get(linkId)?.options.find((o) => o.code === code)?.display ?? code;
  const shares = (prefix: string, question: string, linkId: string, dist: OptionShare[]) => {
    for (const o of dist) labels.set(`${prefix}.${o.code}`, `${question}: ${option(linkId, o.code)}`);
  };
  for (const g of r.groups)
    labels.set(`group.${g.key}.responses`, t('surveys.csv.groupResponses', { group: names.get(g.key) ?? '' }));
  for (const d of r.hse?.domains ?? []) {
    const domain = enumLabel(t, 'hseDomain', d.domain);
    labels.set(`hse.${d.domain}.mean`, t('surveys.csv.domainMean', { domain }));
    labels.set(`hse.${d.domain}.previous`, t('surveys.csv.domainPrevious', { domain }));
    for (const g of d.byGroup)
      labels.set(
        `hse.${d.domain}.${g.key}.mean`,
        t('surveys.csv.domainGroupMean', { domain, group: names.get(g.key) ?? '' }),
      );
  }
  for (const i of r.hse?.items ?? [])
    shares(`hse.item.${i.item}`, items.get(i.linkId)?.text ?? '', i.linkId, i.distribution);
  labels.set('swemwbs.mean', t('surveys.csv.swemwbs'));
  labels.set('swemwbs.previous', t('surveys.csv.swemwbsPrevious'));
  labels.set('phq4.anxiety-positive', t('surveys.results.phq4Anxiety'));
  labels.set('phq4.depression-positive', t('surveys.results.phq4Depression'));
  for (const b of r.barriers ?? []) {
    const barrier = option('barriers', b.code);
    labels.set(`barriers.${b.code}`, t('surveys.csv.barrier', { barrier }));
    labels.set(`barriers.${b.code}.previous`, t('surveys.csv.barrierPrevious', { barrier }));
  }
  for (const question of r.questions) {
    const text = items.get(question.linkId)?.text ?? '';
    labels.set(`question.${question.linkId}.answered`, t('surveys.csv.answered', { question: text }));
    shares(`question.${question.linkId}`, text, question.linkId, question.distribution);
  }
  return labels;
}

export function surveyResultsPages(deps: AppDependencies): RouteDefinition[] {
  const { surveys, people, auth } = deps.services;

  const changeText = (req: Request, change: number | null) =>
    change === null
      ? req.t('surveys.results.noChange')
      : change === 0
        ? req.t('surveys.results.same')
        : `${change > 0 ? '+' : '−'}${decimal(req, Math.abs(change))}`;

  /** What the results section shows: every figure in words, suppressed as CONF-5 requires. */
  const resultsView = (
    req: Request,
    c: CampaignSummary,
    r: CampaignResults,
    q: SurveyQuestionnaire,
    names: Map<string, string>,
  ) => {
    const items = itemsOf(q);
    const fig = (f: ResultFigure | null, write: (v: number) => string) => figureText(req, f, r.threshold, write);
    const mean = (f: ResultFigure | null) => fig(f, (v) => decimal(req, v));
    const share = (f: ResultFigure | null) => fig(f, (v) => percent(req, v));
    const distribution = (linkId: string, dist: OptionShare[]) =>
      dist.map((o) => ({
        option: items.get(linkId)?.options.find((x) => x.code === o.code)?.display ?? '',
        share: share(o.share),
      }));
    return {
      responses: fig(r.responses, (v) => String(v)),
      groups: r.groups.map((g) => ({
        key: g.key,
        name: names.get(g.key) ?? '',
        invited: g.invited,
        responses: fig(g.responses, (v) => String(v)),
      })),
      hse: r.hse && {
        hasPrevious: r.hse.domains.some((d) => d.previous !== null),
        hasBands: r.hse.domains.some((d) => d.band !== null),
        domains: r.hse.domains.map((d) => ({
          name: enumLabel(req.t, 'hseDomain', d.domain),
          mean: mean(d.mean),
          band: d.band,
          previous: d.previous ? mean(d.previous) : '',
          change: changeText(req, d.change),
          byGroup: d.byGroup.map((g) => mean(g.mean)),
        })),
        groupNames:
          r.group === null && r.hse.domains[0]?.byGroup.length
            ? r.hse.domains[0].byGroup.map((g) => names.get(g.key))
            : [],
        items: r.hse.items.map((i) => ({
          number: i.item,
          text: items.get(i.linkId)?.text ?? '',
          domain: enumLabel(req.t, 'hseDomain', i.domain),
          distribution: distribution(i.linkId, i.distribution),
        })),
      },
      swemwbs: r.swemwbs && {
        mean: mean(r.swemwbs.mean),
        previous: r.swemwbs.previous ? mean(r.swemwbs.previous) : null,
        change: changeText(req, r.swemwbs.change),
      },
      phq4: r.phq4 && { anxiety: share(r.phq4.anxietyPositive), depression: share(r.phq4.depressionPositive) },
      barriers: r.barriers && {
        hasPrevious: r.barriers.some((b) => b.previous !== null),
        rows: r.barriers.map((b) => ({
          name: items.get('barriers')?.options.find((o) => o.code === b.code)?.display ?? '',
          share: share(b.share),
          previous: b.previous ? share(b.previous) : '',
        })),
      },
      questions: r.questions.map((x) => ({
        text: items.get(x.linkId)?.text ?? '',
        answered: fig(x.answered, (v) => String(v)),
        distribution: distribution(x.linkId, x.distribution),
      })),
      comments: r.comments,
      chartQuery: r.group ? `?group=${encodeURIComponent(r.group)}` : '',
      hseAlt: r.hse ? req.t('surveys.results.hseChartAlt', { title: c.title }) : '',
      barriersAlt: r.barriers ? req.t('surveys.results.barriersChartAlt', { title: c.title }) : '',
    };
  };

  /** The topics an action may be about: HSE's domains, or the questionnaire's themes (its pages). */
  const topicsOf = (req: Request, q: SurveyQuestionnaire) =>
    q.pages.some((p) => p.instrument === 'hse')
      ? HSE_DOMAINS.map((d) => ({ value: d as string, text: enumLabel(req.t, 'hseDomain', d) }))
      : q.pages.map((p) => ({ value: p.linkId, text: p.title }));

  /** The change in an action's topic since its campaign: a domain's, or wellbeing's for the SWEMWBS theme. */
  const topicChange = (req: Request, topic: string, r: CampaignResults | null, q: SurveyQuestionnaire) => {
    if (!r) return null;
    if (isDomain(topic)) {
      const d = r.hse?.domains.find((x) => x.domain === topic);
      return d?.previous ? changeText(req, d.change) : null;
    }
    const page = q.pages.find((p) => p.linkId === topic);
    if (page?.instrument === 'swemwbs' && r.swemwbs?.previous) return changeText(req, r.swemwbs.change);
    return null;
  };

  const pageLocals = async (req: Request, id: string) => {
    const ctx = requestContext(req);
    const c = await surveys.campaign(ctx, id);
    const query = parseInput(groupQuery, req.query);
    const group = query.group || undefined;
    const q = surveyInLanguage(surveys.questionnaireOf(c), pageLang(req));
    const [names, { results, refused }, actions, population] = await Promise.all([
      groupNames(req, deps.services, c),
      readResults(deps, req, id, group),
      surveys.actions(ctx, id),
      populationText(req, deps.services, c),
    ]);
    const topics = topicsOf(req, q);
    const topicName = (topic: string) =>
      isDomain(topic) ? enumLabel(req.t, 'hseDomain', topic) : (topics.find((x) => x.value === topic)?.text ?? '');
    const users = (await auth.listUsers({ organisationId: c.organisationId, limit: 1000, offset: 0 })).items.filter(
      (u) => u.personId && !u.disabledAt,
    );
    const ownerIds = [
      ...new Set([
        ...users.map((u) => u.personId!),
        ...[...actions.current, ...actions.previous].map((a) => a.ownerPersonId),
      ]),
    ];
    const ownerNames = await people.namesOf(ownerIds);
    const actionView = (a: SurveyAction, previous: boolean) => ({
      id: a.id,
      topic: topicName(a.topic),
      description: a.description,
      owner: ownerNames.get(a.ownerPersonId) ?? '',
      dueOn: a.dueOn,
      status: a.status,
      done: a.status === 'done',
      change: previous ? topicChange(req, a.topic, group ? null : results, q) : null,
    });
    return {
      title: c.title,
      campaign: {
        id: c.id,
        title: c.title,
        questionnaire: q.title,
        population,
        mode: c.mode,
        breakdown: c.breakdown,
        status: c.status,
        opensOn: c.opensOn,
        closesOn: c.closesOn,
        invited: c.invitedCount,
        responses: c.responses,
        rate: rateText(req, c),
      },
      mayReadAnswers: c.mode === 'confidential' && mayReadIdentifiedAnswers(ctx.actor),
      groupOptions: c.groups.map((g) => ({ value: g.key, text: names.get(g.key) ?? '', selected: g.key === group })),
      group: group ?? '',
      refused,
      results: results && resultsView(req, c, results, q, names),
      threshold: c.threshold,
      actions: actions.current.map((a) => actionView(a, false)),
      previousActions: actions.previous.map((a) => actionView(a, true)),
      topics,
      owners: users
        .map((u) => ({ value: u.personId!, text: ownerNames.get(u.personId!) ?? u.displayName }))
        .sort((a, b) => a.text.localeCompare(b.text)),
    };
  };

  const chartSvg = async (req: Request, res: Response, chart: 'hse' | 'barriers') => {
    const { id } = parseInput(idParam, req.params);
    const c = await surveys.campaign(requestContext(req), id);
    const group = parseInput(groupQuery, req.query).group || undefined;
    const { results: r } = await readResults(deps, req, id, group);
    const q = surveyInLanguage(surveys.questionnaireOf(c), pageLang(req));
    let svg: string | null = null;
    if (r?.hse && chart === 'hse') {
      const hasPrevious = r.hse.domains.some((d) => d.previous !== null);
      svg = barChartSvg({
        categories: r.hse.domains.map((d) => enumLabel(req.t, 'hseDomain', d.domain)),
        max: 5,
        series: [
          {
            name: req.t('surveys.results.thisSurvey'),
            values: r.hse.domains.map((d) => (d.mean.suppressed ? null : d.mean.value)),
          },
          ...(hasPrevious
            ? [
                {
                  name: req.t('surveys.results.previousSurvey'),
                  values: r.hse.domains.map((d) => (d.previous && !d.previous.suppressed ? d.previous.value : null)),
                },
              ]
            : []),
        ],
      });
    }
    if (r?.barriers && chart === 'barriers') {
      const options = itemsOf(q).get('barriers')?.options ?? [];
      svg = barChartSvg({
        categories: r.barriers.map((b) => options.find((o) => o.code === b.code)?.display ?? ''),
        max: 1,
        horizontal: true,
        format: 'percent',
        series: [
          {
            name: req.t('surveys.results.thisSurvey'),
            values: r.barriers.map((b) => (b.share.suppressed ? null : b.share.value)),
          },
        ],
      });
    }
    if (!svg) {
      res.status(404).type('text/plain').send(req.t('surveys.results.noChart'));
      return;
    }
    // The chart is an image: its own drawing styles are its own, and nothing in it runs.
    res
      .type('image/svg+xml')
      .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
      .set('Cache-Control', 'no-store')
      .send(svg);
  };

  return [
    {
      method: 'get',
      path: '/surveys/:id',
      kind: 'page',
      policy: policies.campaignsManage,
      summary:
        'A survey campaign: who was asked and when, its response rate, its results with small numbers suppressed ' +
        '(one group with ?group=, refused when too few), and the team’s action plan.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        renderPage(req, res, 'surveys/campaign', { ...(await pageLocals(req, id)), values: {} });
      },
    },
    ...(['hse', 'barriers'] as const).map((chart): RouteDefinition => ({
      method: 'get',
      path: `/surveys/:id/charts/${chart}.svg`,
      kind: 'page',
      policy: policies.campaignsManage,
      summary:
        `A chart of a campaign’s ${chart === 'hse' ? 'HSE domain means' : 'access barriers'} as an SVG image ` +
        '(?group= for one group); the page’s table holds the same figures.',
      handler: (req, res) => chartSvg(req, res, chart),
    })),
    {
      method: 'get',
      path: '/surveys/:id/results.csv',
      kind: 'page',
      policy: policies.campaignsManage,
      summary:
        'Every figure of a campaign’s results as CSV (code, label, value, n, suppressed), suppressed as on screen.',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const group = parseInput(groupQuery, req.query).group || undefined;
        const c = await surveys.campaign(requestContext(req), id);
        const r = await surveys.results(requestContext(req), id, group);
        const q = surveyInLanguage(surveys.questionnaireOf(c), pageLang(req));
        const labels = figureLabels(req, r, q, await groupNames(req, deps.services, c));
        const yes = req.t('surveys.csv.yes');
        const no = req.t('surveys.csv.no');
        const csv = toCsv([
          [
            req.t('surveys.csv.code'),
            req.t('surveys.csv.label'),
            req.t('surveys.csv.value'),
            'n',
            req.t('surveys.csv.suppressed'),
          ],
          ...r.figures.map((f) => [
            f.code,
            labels.get(f.code) ?? '',
            f.suppressed ? null : f.value,
            f.n,
            f.suppressed ? yes : no,
          ]),
        ]);
        res.attachment(`survey-${id}-results.csv`).type('text/csv; charset=utf-8').send(csv);
      },
    },
    {
      method: 'post',
      path: '/surveys/:id/actions',
      kind: 'page',
      policy: policies.campaignsManage,
      summary: 'Records an action from the results: it goes on its owner’s worklist, due on the day given.',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const body = req.body as Record<string, unknown>;
        const input = Object.fromEntries(
          ['topic', 'description', 'ownerPersonId', 'dueOn', 'groupKey'].map((f) => [f, formText(body, f)]),
        );
        await submitForm(
          req,
          res,
          {
            view: 'surveys/campaign',
            schema: actionForm,
            input,
            values: body,
            locals: () => pageLocals(req, id),
            fields: ACTION_FIELDS,
            fallbackField: 'description',
          },
          async (d) => {
            await surveys.recordAction(requestContext(req), id, d);
            notify(req, { heading: 'notices.surveyActionAdded', next: 'notices.surveyActionAddedNext' });
            res.redirect(303, `/surveys/${id}#actions`);
          },
        );
      },
    },
    {
      method: 'post',
      path: '/surveys/:id/actions/:actionId/done',
      kind: 'page',
      policy: policies.campaignsManage,
      summary: 'Marks an action done (its worklist task is completed with it).',
      handler: async (req, res) => {
        const { id, actionId } = parseInput(actionParam, req.params);
        await surveys.completeAction(requestContext(req), id, actionId);
        notify(req, { heading: 'notices.surveyActionDone' });
        res.redirect(303, `/surveys/${id}#actions`);
      },
    },
    {
      method: 'get',
      path: '/surveys/actions/:id',
      kind: 'page',
      policy: policies.campaignsManage,
      summary:
        'From a worklist task: the campaign page of a survey action (not found when its campaign is out of reach).',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const campaignId = await surveys.campaignOfAction(requestContext(req), id);
        res.redirect(303, `/surveys/${campaignId}#actions`);
      },
    },
  ];
}
