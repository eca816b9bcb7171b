package org.covlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.w3c.dom.Document;

class PlotTest {

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Where to put files: {@code -Dcovlab.samples=DIR} keeps them for a look, else the test's temp dir. */
    static Path out(Path tmp) throws IOException {
        String keep = System.getProperty("covlab.samples");
        return keep == null ? tmp : Files.createDirectories(Path.of(keep));
    }

    @Test
    void writesAValidPngAndSvgSideBySide(@TempDir Path tmp) throws Exception {
        Path dir = out(tmp);
        for (Plot.Files f : new Plot.Files[] {SampleFigures.klBands(dir), SampleFigures.klVsH(dir), SampleFigures.passVsCoverage(dir)}) {
            byte[] png = Files.readAllBytes(f.png());
            assertThat(Arrays.copyOf(png, 8)).as("PNG magic of %s", f.png()).isEqualTo(PNG_MAGIC);
            BufferedImage img = ImageIO.read(f.png().toFile());
            assertThat(img.getWidth()).isEqualTo(Plot.WIDTH * Plot.PNG_SCALE);
            assertThat(img.getHeight()).isEqualTo(Plot.HEIGHT * Plot.PNG_SCALE);
            assertThat(distinctColours(img)).as("a drawn chart, not a blank image").isGreaterThan(50);
            assertThat(img.getRGB(2, 2) & 0xffffff).as("white background").isEqualTo(0xffffff);

            assertThat(f.svg().getFileName().toString()).isEqualTo(f.png().getFileName().toString().replace(".png", ".svg"));
            DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
            dbf.setNamespaceAware(true);
            dbf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // no network
            Document svg = dbf.newDocumentBuilder().parse(f.svg().toFile());
            assertThat(svg.getDocumentElement().getLocalName()).isEqualTo("svg");
            assertThat(svg.getElementsByTagNameNS("*", "path").getLength() + svg.getElementsByTagNameNS("*", "polygon").getLength()
                    + svg.getElementsByTagNameNS("*", "polyline").getLength()).as("drawn shapes in the SVG").isGreaterThan(10);
            assertThat(Files.readString(f.svg())).contains("<svg");
        }
    }

    private static int distinctColours(BufferedImage img) {
        return (int) java.util.stream.IntStream.range(0, img.getWidth() * img.getHeight()).filter(i -> i % 7 == 0)
                .map(i -> img.getRGB(i % img.getWidth(), i / img.getWidth())).distinct().count();
    }

    @Test
    void aBandIsOneClosedPolygonBehindItsLineAndOutOfTheLegend() {
        double[] x = {1, 2, 3};
        XYChart c = Plot.titled("t").band("H = 8", x, new double[] {2, 3, 4}, new double[] {1, 2, 3}, new double[] {3, 4, 5}).chart();
        XYSeries band = c.getSeriesMap().get("H = 8 (band)");
        XYSeries line = c.getSeriesMap().get("H = 8");
        assertThat(band.getXYSeriesRenderStyle()).isEqualTo(XYSeries.XYSeriesRenderStyle.PolygonArea);
        assertThat(band.getXData()).containsExactly(1, 2, 3, 3, 2, 1);
        assertThat(band.getYData()).containsExactly(3, 4, 5, 3, 2, 1); // along hi, back along lo
        assertThat(band.isShowInLegend()).isFalse();
        assertThat(band.getFillColor().getRGB() & 0xffffff).isEqualTo(line.getLineColor().getRGB() & 0xffffff);
        assertThat(band.getFillColor().getAlpha()).isLessThan(128);
        assertThat(c.getSeriesMap().keySet()).containsExactly("H = 8 (band)", "H = 8"); // band painted first
    }

    @Test
    void pointsALogAxisCannotShowAreDroppedNotFatal(@TempDir Path tmp) throws Exception {
        Plot p = Plot.titled("coverage can be 0").logY()
                .line("cov", new double[] {1, 2, 3, 4, 5}, new double[] {0.5, 0.0, Double.NaN, 0.1, Double.POSITIVE_INFINITY});
        XYChart c = p.chart();
        assertThat(c.getSeriesMap().get("cov").getXData()).containsExactly(1, 4);
        assertThat(p.write(tmp, "c").png()).isNotEmptyFile();
        XYChart empty = Plot.titled("nothing yet").logY().line("cov", new double[] {1}, new double[] {0}).chart();
        assertThat(empty.getSeriesMap().keySet()).containsExactly("(no data)");
        Plot.titled("nothing yet").logY().line("cov", new double[] {1}, new double[] {0}).write(tmp, "empty");
        assertThat(ImageIO.read(tmp.resolve("empty.png").toFile())).isNotNull();
    }

    @Test
    void aLogXAxisOverPowersOfTwoTicksEveryDataValue() {
        double[] h = {8, 16, 32, 64, 128};
        XYChart c = Plot.titled("t").logX().logY().line("kl", h, new double[] {0.1, 0.2, 0.4, 0.8, 1.6}).chart();
        assertThat(c.getStyler().isXAxisLogarithmic()).as("drawn as log10(H) on a linear axis").isFalse();
        assertThat(c.getSeriesMap().get("kl").getXData()).containsExactly(Arrays.stream(h).map(Math::log10).toArray(), within(1e-12));
        assertThat(c.getStyler().isYAxisLogarithmic()).isTrue();
        XYChart irregular = Plot.titled("t").logX().line("kl", new double[] {1, 3, 100}, new double[] {1, 2, 3}).chart();
        assertThat(irregular.getStyler().isXAxisLogarithmic()).as("not geometric: XChart's own log axis").isTrue();
    }

    @Test
    void namedColoursStayTheSameAcrossPlots() {
        var order = SampleFigures.METHODS;
        XYChart all = Plot.titled("a").colors(order).line("mle", new double[] {1}, new double[] {1})
                .line("sign-sgd", new double[] {1}, new double[] {1}).chart();
        XYChart one = Plot.titled("b").colors(order).line("sign-sgd", new double[] {1}, new double[] {1}).chart();
        assertThat(one.getSeriesMap().get("sign-sgd").getLineColor()).isEqualTo(all.getSeriesMap().get("sign-sgd").getLineColor());
        assertThat(all.getSeriesMap().get("mle").getLineColor()).isNotEqualTo(all.getSeriesMap().get("sign-sgd").getLineColor());
    }

    @Test
    void aVariantOfANamedSeriesTakesItsColour() {
        XYChart c = Plot.titled("a").colors(List.of("sgd", "adamw")).line("sgd", new double[] {1}, new double[] {1})
                .dashed("adamw, TTT", new double[] {1}, new double[] {2}).dashed("other, TTT", new double[] {1}, new double[] {3}).chart();
        XYChart plain = Plot.titled("b").colors(List.of("sgd", "adamw")).line("adamw", new double[] {1}, new double[] {1}).chart();
        assertThat(c.getSeriesMap().get("adamw, TTT").getLineColor()).isEqualTo(plain.getSeriesMap().get("adamw").getLineColor());
        assertThat(c.getSeriesMap().get("other, TTT").getLineColor()).as("not a named series: a colour of its own")
                .isNotIn(c.getSeriesMap().get("sgd").getLineColor(), c.getSeriesMap().get("adamw, TTT").getLineColor());
    }
}
